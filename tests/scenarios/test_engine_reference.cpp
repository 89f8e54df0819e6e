// The engine's distributions, recorded: every /summary column of the shipped
// baseline at a small scale, as a mean and standard error over replications,
// kept in engine_reference.csv. An engine that changes how the model is
// computed (not what it is) must reproduce these within a few standard errors:
// the distributions must match, not the bit patterns. Regenerate only when the
// model itself changes, with
//   build/tests/test_scenarios "[.engine-reference]"
// and say why in the commit.
//
// Also here: the strength of common random numbers, the variance of paired
// differences for three levers, which a new engine must keep (docs/performance.md):
//   build/tests/test_scenarios "[.crn]"
#include "model/summary.hpp"
#include "runner/input/scenario_file.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

using namespace pbsim;
using namespace pbsim::testing;

namespace {

constexpr double kScale = 0.05; // 7,500 users
constexpr int kReplications = 30;
constexpr std::uint32_t kSeed = 424242;
constexpr double kStandardErrors = 4.5; // per column; about 150 columns, all must pass
const char* const kFixture = PBSIM_SOURCE_DIR "/tests/scenarios/engine_reference.csv";

Scenario shipped(const std::string& name) {
    return runner::load_scenario(PBSIM_SOURCE_DIR "/scenarios/" + name + ".toml").scenario;
}

// The baseline the fixture was recorded with (the shipped one's history has moved on).
Scenario recorded_baseline() {
    return runner::load_scenario(PBSIM_SOURCE_DIR "/tests/scenarios/engine_reference_baseline.toml")
        .scenario;
}

struct Moments {
    double mean = 0, se = 0;
};

// Mean and standard error of every summary column over replications.
std::vector<std::pair<std::string, Moments>> summary_moments(const Scenario& s, std::uint32_t seed,
                                                             int replications, double scale) {
    std::vector<std::vector<SummaryValue>> rows;
    for (int r = 0; r < replications; ++r)
        rows.push_back(
            summarise(simulate(s, {seed, static_cast<std::uint32_t>(r), scale}), s, scale));
    std::vector<std::pair<std::string, Moments>> out;
    for (std::size_t k = 0; k < rows.front().size(); ++k) {
        std::vector<double> v;
        for (const auto& row : rows)
            v.push_back(row[k].value);
        out.push_back({rows.front()[k].name, {mean(v), standard_error(v)}});
    }
    return out;
}

std::map<std::string, Moments> read_fixture() {
    std::ifstream in(kFixture);
    REQUIRE(in);
    std::map<std::string, Moments> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line.starts_with("column,")) continue;
        std::istringstream row(line);
        std::string name, mean, se;
        std::getline(row, name, ',');
        std::getline(row, mean, ',');
        std::getline(row, se, ',');
        out[name] = {std::stod(mean), std::stod(se)};
    }
    return out;
}

} // namespace

TEST_CASE("engine: every summary column matches the recorded distributions within k standard "
          "errors") {
    const auto reference = read_fixture();
    const auto now = summary_moments(recorded_baseline(), kSeed, kReplications, kScale);
    // Columns added since the recording (history figures) are not in it.
    REQUIRE(now.size() >= reference.size());
    std::size_t compared = 0;
    for (const auto& [name, m] : now) {
        INFO(name);
        if (reference.count(name) == 0) continue;
        ++compared;
        const Moments& ref = reference.at(name);
        if (std::isnan(ref.mean)) {
            REQUIRE(std::isnan(m.mean));
            continue;
        }
        const double se = std::hypot(m.se, ref.se);
        const double tolerance = std::max(kStandardErrors * se, 1e-9 * std::abs(ref.mean));
        INFO("now " << m.mean << " (SE " << m.se << "), recorded " << ref.mean << " (SE " << ref.se
                    << ")");
        REQUIRE(std::abs(m.mean - ref.mean) <= tolerance);
    }
    CHECK(compared == reference.size());
}

TEST_CASE("engine: regenerate the recorded distributions", "[.engine-reference]") {
    const auto now = summary_moments(recorded_baseline(), kSeed, kReplications, kScale);
    std::ofstream out(kFixture);
    out << "# Summary of scenarios/baseline.toml at scale " << kScale << ", " << kReplications
        << " replications, seed " << kSeed << ": mean and standard error over replications.\n"
        << "# Written by tests/scenarios/test_engine_reference.cpp [.engine-reference].\n"
        << "column,mean,se\n"
        << std::setprecision(17);
    for (const auto& [name, m] : now)
        out << name << ',' << m.mean << ',' << m.se << '\n';
    REQUIRE(out.good());
}

// Variance of paired differences policy - baseline over replications for three
// levers: an access lever, crisis prevention and restructuring.
TEST_CASE("engine: strength of common random numbers", "[.crn]") {
    // PBSIM_CRN_REPLICATIONS and PBSIM_CRN_SEED measure it more finely or elsewhere.
    const char* reps_env = std::getenv("PBSIM_CRN_REPLICATIONS");
    const char* seed_env = std::getenv("PBSIM_CRN_SEED");
    const int replications = reps_env ? std::atoi(reps_env) : 100;
    const std::uint32_t kSeed =
        seed_env ? static_cast<std::uint32_t>(std::strtoul(seed_env, nullptr, 10)) : ::kSeed;
    const Scenario base = shipped("baseline");
    Scenario restructuring = base;
    restructuring.set_from("workforce.restructuring", Month::from_ym(2015, 4), 1);
    restructuring.set_from("workforce.restructuring", Month::from_ym(2018, 4), 0);
    const std::vector<std::pair<std::string, Scenario>> levers = {
        {"dp_support_everywhere", shipped("dp_support_everywhere")},
        {"crisis_prevention", shipped("crisis_prevention")},
        {"restructuring_2015_2018", restructuring}};
    const char* outputs[] = {"uptake_share_end", "eval_new_pbs", "eval_crises",
                             "eval_cost_total_discounted", "eval_qalys_discounted"};
    std::vector<std::vector<SummaryValue>> b;
    for (int r = 0; r < replications; ++r)
        b.push_back(summarise(simulate(base, {kSeed, static_cast<std::uint32_t>(r), kScale}), base,
                              kScale));
    auto value = [](const std::vector<SummaryValue>& row, const std::string& name) {
        for (const auto& v : row)
            if (v.name == name) return v.value;
        return std::nan("");
    };
    std::cout << "lever,output,mean_difference,variance_of_paired_difference,variance_unpaired\n"
              << std::setprecision(6);
    for (const auto& [lever, s] : levers) {
        std::vector<std::vector<SummaryValue>> p;
        for (int r = 0; r < replications; ++r)
            p.push_back(
                summarise(simulate(s, {kSeed, static_cast<std::uint32_t>(r), kScale}), s, kScale));
        for (const char* o : outputs) {
            std::vector<double> d, pb, pp;
            for (int r = 0; r < replications; ++r) {
                d.push_back(value(p[r], o) - value(b[r], o));
                pb.push_back(value(b[r], o));
                pp.push_back(value(p[r], o));
            }
            const double var = std::pow(standard_error(d), 2) * replications;
            const double unpaired =
                (std::pow(standard_error(pb), 2) + std::pow(standard_error(pp), 2)) * replications;
            std::cout << lever << ',' << o << ',' << mean(d) << ',' << var << ',' << unpaired
                      << '\n';
        }
    }
}

// Virtual cluster trials: following individuals, randomisation, recruitment,
// trial files and the `pbsim trial` command on small worlds.
#include "model/population.hpp"
#include "runner/experiments/trial.hpp"
#include "support/h5_support.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>
#include <hdf5_hl.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace pbsim;
using namespace pbsim::runner;
using namespace pbsim::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// A base scenario file for small trials: 4,000 users in 30 councils, 2001-2004.
const char* kBase = R"(
start = "2001-01"
end = "2004-12"
[population]
users = 4000
councils = 30
[policy]
managed_budgets = 1
active_offer = 0.3
[information]
campaign_intensity = 0.3
)";

std::string trial_text(const std::string& extra = "") {
    return R"(
description = "test trial"
scenario = "base.toml"
unit = "council"
clusters_per_arm = [3, 5]
participants_per_cluster = [10, 20]
recruitment = "2003-01"
follow_up_months = 12
stratify = "dp_culture"
primary = "crises"
secondary = ["uptake", "cost"]
trials = 4
scale = 1
)" + extra +
           R"(
[intervention]
policy.active_offer = 1
dp_support_service.coverage = 1
)";
}

// The trial text with one line changed.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

std::string read_attribute(const fs::path& file, const char* name) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    REQUIRE(a >= 0);
    const hid_t t = H5Aget_type(a);
    char* s = nullptr;
    H5Aread(a, t, &s);
    std::string out = s ? s : "";
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    H5Fclose(f);
    return out;
}

} // namespace

TEST_CASE("following people does not change the run, and their totals add up") {
    Scenario s = small_scenario(3000, 6, 4);
    s.set_constant("population.exit_rate", 0); // nobody leaves: following covers everyone
    s.set_constant("policy.managed_budgets", 1);
    s.set_constant("policy.active_offer", 1);
    const RunSettings settings{11, 0, 1.0};
    const ReplicationResult plain = simulate(s, settings);

    Simulation sim(s, settings);
    for (int t = 0; t < 12; ++t)
        sim.step();
    const auto& la = sim.world().councils[2];
    std::vector<std::uint32_t> all;
    for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i)
        all.push_back(i);
    sim.follow(all);
    while (!sim.done())
        sim.step();
    // Bit-identical council series with and without following.
    REQUIRE(sim.result().values == plain.values);
    // Everyone in council 2 followed from month 12: their sums are the council's.
    for (Metric m : {Metric::crises, Metric::admissions, Metric::bed_days, Metric::new_pbs,
                     Metric::qalys, Metric::cost_pb_social_care, Metric::cost_inpatient,
                     Metric::holding_dp, Metric::cost_care_coordination}) {
        double council = 0, people = 0;
        for (int t = 12; t < plain.months; ++t)
            council += plain.at(m, t, 2);
        for (const auto& p : sim.followed())
            people += p[m];
        INFO(kMetrics[index(m)].name);
        // The council is priced from running totals (double), a person user by
        // user (float arithmetic, costs::account_user): equal to float rounding.
        CHECK(people == Approx(council).epsilon(1e-6));
    }
    for (const auto& p : sim.followed()) {
        CHECK(p.months == plain.months - 12);
        CHECK(p.left == kNever);
    }
}

TEST_CASE("a followed person who leaves is censored at exit") {
    Scenario s = small_scenario(2000, 4, 3);
    s.set_constant("population.exit_rate", 0.05);
    Simulation sim(s, {3, 0, 1.0});
    for (int t = 0; t < 6; ++t)
        sim.step();
    std::vector<std::uint32_t> slots(200);
    std::iota(slots.begin(), slots.end(), 0u);
    std::vector<std::int32_t> exit_month;
    for (auto i : slots)
        exit_month.push_back(sim.world().users.exit_month[i]);
    sim.follow(slots);
    while (!sim.done())
        sim.step();
    int left = 0;
    for (std::size_t q = 0; q < slots.size(); ++q) {
        const auto& p = sim.followed()[q];
        if (exit_month[q] < sim.month()) {
            ++left;
            CHECK(p.left == exit_month[q]);
            CHECK(p.months == exit_month[q] - 6);
        } else {
            CHECK(p.left == kNever);
            CHECK(p.months == sim.month() - 6);
        }
        double state_months = 0;
        for (int k = 0; k < kPathwayStates; ++k)
            state_months += p.total[index(Metric::unaware) + k];
        CHECK(state_months == p.months);
    }
    CHECK(left > 20); // about 1 - 0.95^30 = 79% leave; many are censored
}

TEST_CASE("randomisation is balanced, keyed and fair") {
    const auto councils = make_councils(small_scenario(3000, 40).at(Month::from_ym(2001, 1)), 3000);
    const auto order = council_order(40, 5, 0);
    REQUIRE(std::set<int>(order.begin(), order.end()).size() == 40); // a permutation
    CHECK(order == council_order(40, 5, 0));                         // reproducible
    CHECK(order != council_order(40, 5, 1));                         // keyed by trial
    CHECK(order != council_order(40, 6, 0));                         // and by seed
    const std::vector<int> clusters(order.begin(), order.begin() + 12);
    for (Stratify st : {Stratify::none, Stratify::dp_culture, Stratify::size}) {
        const auto arm = allocate_arms(clusters, councils, st, 5, 0, 6);
        CHECK(std::count(arm.begin(), arm.end(), 1) == 6);
        CHECK(arm == allocate_arms(clusters, councils, st, 5, 0, 6));
        if (st == Stratify::none) continue;
        // Matched pairs: the two councils of each pair are in different arms.
        std::vector<std::size_t> by(clusters.size());
        std::iota(by.begin(), by.end(), 0);
        std::stable_sort(by.begin(), by.end(), [&](auto a, auto b) {
            const auto& x = councils[clusters[a]];
            const auto& y = councils[clusters[b]];
            return st == Stratify::dp_culture ? x.dp_culture < y.dp_culture
                                              : x.user_count < y.user_count;
        });
        for (std::size_t p = 0; p < by.size(); p += 2)
            CHECK(arm[by[p]] + arm[by[p + 1]] == 1);
    }
    // Over 2000 trials each council is in the intervention arm half the time
    // (99% binomial interval), and the arms' mean DP culture balances.
    const int n = 2000;
    std::vector<int> times(12, 0);
    for (int t = 0; t < n; ++t) {
        const auto arm = allocate_arms(clusters, councils, Stratify::none, 5, t, 6);
        for (int j = 0; j < 12; ++j)
            times[j] += arm[j];
    }
    for (int j = 0; j < 12; ++j)
        CHECK(std::abs(times[j] / double(n) - 0.5) < 2.576 * std::sqrt(0.25 / n));
}

TEST_CASE("recruitment takes eligible users only, in a keyed random order") {
    Scenario s = small_scenario(3000, 5, 10);
    s.set_constant("policy.managed_budgets", 1);
    s.set_constant("policy.active_offer", 1);
    Simulation sim(s, {2, 0, 1.0});
    for (int t = 0; t < 96; ++t)
        sim.step();
    const auto& w = sim.world();
    const auto slots = recruit(w, 1, 100000, 2, 0);
    int holding = 0;
    for (std::uint32_t i = w.councils[1].first_user;
         i < w.councils[1].first_user + w.councils[1].user_count; ++i)
        holding +=
            is_holding(w.users.state[i]) || w.users.state[i] == PathwayState::support_planning;
    REQUIRE(holding > 0); // the test means something
    CHECK(static_cast<int>(slots.size()) + holding == static_cast<int>(w.councils[1].user_count));
    for (auto i : slots) {
        CHECK(w.users.council[i] == 1);
        CHECK(!is_holding(w.users.state[i]));
    }
    const auto first = recruit(w, 1, 50, 2, 0);
    CHECK(std::vector<std::uint32_t>(slots.begin(), slots.begin() + 50) == first); // nested
    CHECK(first != recruit(w, 1, 50, 2, 1));
}

TEST_CASE("a simulated trial finds a strong effect and is reproducible") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    // Crisis prevention reaching everyone with effect 1 removes every crisis
    // in intervention councils: the rate ratio is small and significant.
    const auto file = dir.write("t.toml", trial_text() + "crisis_prevention.coverage = 1\n"
                                                         "crisis_prevention.effect = 1\n");
    const TrialSpec spec = load_trial(file);
    Scenario base = spec.base.scenario;
    base.end = spec.follow_up_end();
    const auto a = simulate_trial(spec, base, 9, 0, 1.0);
    REQUIRE(a.size() == 4); // 2 cluster counts x 2 participant counts
    CHECK(a[0].clusters_per_arm == 3);
    CHECK(a[1].participants_per_cluster == 20);
    for (const auto& r : a) {
        // No crisis at all in intervention clusters: their log rates are
        // log(0.5 / person-years), so the ratio is about 0.5 / 2.5 control
        // crises per cluster of 10 people, 0.5 / 5 for 20.
        CHECK(r.primary.effect < 0.4);
        CHECK(r.primary.intervention < 0.5 / (r.mean_cluster_size * 0.9));
        // Significant at the 5% level in every design; with few clusters the
        // p-value turns on the control clusters' spread (0.002-0.011 at seed 9).
        INFO("clusters per arm " << r.clusters_per_arm << ", size " << r.participants_per_cluster);
        CHECK(r.primary.p_value < 0.05);
        CHECK(r.primary.clusters_control == r.clusters_per_arm);
        REQUIRE(r.secondary.size() == 2);
    }
    CHECK(a[3].uptake[1] > a[3].uptake[0]); // active offer and DP support raise uptake
    const auto b = simulate_trial(spec, base, 9, 0, 1.0);
    CHECK(a[3].primary.effect == b[3].primary.effect);
    CHECK(a[3].icc.icc == b[3].icc.icc);
    CHECK(a[3].cost[1] == b[3].cost[1]);

    // The journal record of a simulated trial decodes to the same results.
    std::vector<double> record(trial_record_size(spec), -1.0);
    encode_trial(a, record);
    const auto c = decode_trial(spec, record);
    REQUIRE(c.size() == a.size());
    for (std::size_t d = 0; d < a.size(); ++d) {
        CHECK(c[d].clusters_per_arm == a[d].clusters_per_arm);
        CHECK(c[d].participants_per_cluster == a[d].participants_per_cluster);
        CHECK(c[d].mean_cluster_size == a[d].mean_cluster_size);
        CHECK(c[d].primary.effect == a[d].primary.effect);
        CHECK(c[d].primary.p_value == a[d].primary.p_value);
        CHECK(c[d].primary.clusters_intervention == a[d].primary.clusters_intervention);
        CHECK(c[d].icc.icc == a[d].icc.icc);
        CHECK(c[d].icc.people == a[d].icc.people);
        CHECK(c[d].uptake[1] == a[d].uptake[1]);
        CHECK(c[d].cost[0] == a[d].cost[0]);
        REQUIRE(c[d].secondary.size() == a[d].secondary.size());
        CHECK(c[d].secondary[1].ci_high == a[d].secondary[1].ci_high);
        CHECK(std::isnan(c[d].null_p) == std::isnan(a[d].null_p));
    }
}

TEST_CASE("the resolved trial text loads back to the same design") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    const TrialSpec a = load_trial(dir.write("t.toml", trial_text("null_check = true\n")));
    const TrialSpec b = parse_trial(to_toml(a), dir / "elsewhere" / "resolved.toml");
    CHECK(b.clusters_per_arm == a.clusters_per_arm);
    CHECK(b.participants_per_cluster == a.participants_per_cluster);
    CHECK(b.recruitment == a.recruitment);
    CHECK(b.follow_up_months == a.follow_up_months);
    CHECK(b.stratify == a.stratify);
    CHECK(b.primary == a.primary);
    CHECK(b.secondary == a.secondary);
    CHECK(b.trials == a.trials);
    CHECK(b.null_check);
    REQUIRE(b.intervention.size() == a.intervention.size());
    for (std::size_t q = 0; q < a.intervention.size(); ++q) {
        CHECK(b.intervention[q].parameter == a.intervention[q].parameter);
        CHECK(b.intervention[q].value == a.intervention[q].value);
    }
    CHECK(b.base.scenario.parameters.size() == a.base.scenario.parameters.size());
}

TEST_CASE("trial files: one clear message naming file, line, key and range") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    auto error_of = [&](const std::string& text) {
        const auto file = dir.write("bad.toml", text);
        try {
            load_trial(file);
        } catch (const ScenarioError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(error_of(trial_text("clusters = 4\n")),
               Contains("bad.toml:") && Contains("unknown key 'clusters'"));
    CHECK_THAT(error_of(replaced(trial_text(), "follow_up_months = 12", "follow_up_months = 0")),
               Contains("follow_up_months = 0") && Contains("1 to 240"));
    CHECK_THAT(
        error_of(replaced(trial_text(), "\"crises\"\nsecondary", "\"admisions\"\nsecondary")),
        Contains("admissions, crises"));
    CHECK_THAT(error_of(replaced(trial_text(), "\"council\"", "\"school\"")),
               Contains("unit = \"school\"") && Contains("\"council\" or \"team\""));
    CHECK_THAT(error_of(replaced(trial_text(), "\"dp_culture\"", "\"age\"")),
               Contains("\"dp_culture\""));
    CHECK_THAT(error_of(trial_text() + "policy.active_ofer = 1\n"),
               Contains("unknown key 'policy.active_ofer'") &&
                   Contains("did you mean 'policy.active_offer'"));
    CHECK_THAT(error_of(replaced(trial_text(), "coverage = 1", "coverage = 2")),
               Contains("bad.toml:") && Contains("dp_support_service.coverage = 2") &&
                   Contains("[0, 1]"));
    CHECK_THAT(error_of(trial_text() + "population.users = 10\n"),
               Contains("cannot differ between arms"));
    std::string late = trial_text();
    late.replace(late.find("2003-01"), 7, "2004-06");
    CHECK_THAT(error_of(late), Contains("does not fit the scenario") && Contains("2004-12"));
    std::string many = trial_text();
    many.replace(many.find("[3, 5]"), 6, "[3, 16]");
    CHECK_THAT(error_of(many), Contains("accepted at most 15"));
    std::string nobase = trial_text();
    nobase.replace(nobase.find("base.toml"), 9, "nope.toml");
    CHECK_THAT(error_of(nobase), Contains("nope.toml") && Contains("does not exist"));
    CHECK_THAT(error_of("scenario = \"base.toml\"\n"), Contains("missing key 'clusters_per_arm'"));
}

TEST_CASE("pbsim trial: same results whatever --threads, provenance, exit statuses") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    dir.write("t.toml", trial_text("null_check = true\n"));
    const CliResult one = run_pbsim("trial t.toml --seed 4 --threads 1 --out one.h5", dir.path());
    REQUIRE(one.status == 0);
    CHECK_THAT(one.out, Contains("power") && Contains("ICC"));
    const CliResult two =
        run_pbsim("trial t.toml --seed 4 --threads 2 --out two.h5 --markdown", dir.path());
    REQUIRE(two.status == 0);
    CHECK_THAT(two.out, Contains("| clusters per arm |"));
    for (const char* name : {"/trials/effect", "/trials/p_value", "/trials/icc",
                             "/trials/null_p_value", "/designs/power", "/designs/cost_control"}) {
        const auto x = read_dataset(dir / "one.h5", name), y = read_dataset(dir / "two.h5", name);
        REQUIRE(x.size() == y.size());
        for (std::size_t i = 0; i < x.size(); ++i)
            CHECK((x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i]))));
    }
    CHECK(read_dataset(dir / "one.h5", "/trials/effect").size() == 4 * 4);
    CHECK_THAT(read_attribute(dir / "one.h5", "trial_text"), Contains("policy.active_offer = 1"));
    CHECK_THAT(read_attribute(dir / "one.h5", "scenario_toml"), Contains("users = 4000"));
    CHECK_THAT(read_attribute(dir / "one.h5", "command_line"), Contains("--threads 1"));
    CHECK(!read_attribute(dir / "one.h5", "source_revision").empty());

    const CliResult bad = run_pbsim("trial missing.toml", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("missing.toml: trial file not found"));
    const CliResult unwritable = run_pbsim("trial t.toml --out no/such/dir/x.h5", dir.path());
    CHECK(unwritable.status == 2);
    CHECK_THAT(unwritable.err, Contains("no/such/dir/x.h5"));
    const CliResult bad_set = run_pbsim("trial t.toml --set crisis.pb_effect=7", dir.path());
    CHECK(bad_set.status == 2);
    CHECK_THAT(bad_set.err, Contains("crisis.pb_effect"));
}

TEST_CASE("pbsim trial: Ctrl-C leaves no file that looks complete") {
    using namespace std::chrono_literals;
    ScratchDir dir;
    dir.write("base.toml", kBase);
    dir.write("t.toml", trial_text());
    const pid_t pid =
        spawn_pbsim({"trial", "t.toml", "--trials", "100000", "--out", "x.h5"}, dir.path());
    auto partial = [&] {
        for (const auto& e : fs::directory_iterator(dir.path()))
            if (e.path().string().find(".partial-") != std::string::npos) return true;
        return false;
    };
    const auto started = std::chrono::steady_clock::now();
    while (!partial() && std::chrono::steady_clock::now() - started < 10s)
        std::this_thread::sleep_for(20ms);
    REQUIRE(partial());
    std::this_thread::sleep_for(500ms);
    REQUIRE(::kill(pid, SIGINT) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK_FALSE(fs::exists(dir / "x.h5"));
    CHECK_FALSE(partial());
}

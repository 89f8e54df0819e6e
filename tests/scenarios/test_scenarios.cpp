// Every shipped policy scenario moves the outcomes it targets in the expected
// direction against the baseline, with replications paired by seed (common
// random numbers). Run at a small scale; national figures are in docs/.
#include "runner/input/scenario_file.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>

using namespace pbsim;
using namespace pbsim::testing;

namespace {

constexpr double kScale = 0.03; // 4,500 users
constexpr int kReplications = 4;

Scenario shipped(const std::string& name) {
    return runner::load_scenario(PBSIM_SOURCE_DIR "/scenarios/" + name + ".toml").scenario;
}

// Mean of care-related quality of life over the run.
double mean_crqol(const ReplicationResult& r) {
    return run_total(r, Metric::care_related_qol) / r.months;
}

struct Results {
    std::vector<ReplicationResult> baseline, policy;
};

Results run_pair(const std::string& policy) {
    static const Scenario base = shipped("baseline");
    const Scenario s = shipped(policy);
    Results out;
    for (int r = 0; r < kReplications; ++r) {
        const RunSettings settings{17, static_cast<std::uint32_t>(r), kScale};
        out.baseline.push_back(simulate(base, settings));
        out.policy.push_back(simulate(s, settings));
    }
    return out;
}

// Paired differences policy - baseline must have the given sign, 3 SE from zero.
void require_direction(const Results& res, const Outcome& outcome, int sign, const char* what) {
    std::vector<double> diff;
    for (int r = 0; r < kReplications; ++r)
        diff.push_back(sign * (outcome(res.policy[r]) - outcome(res.baseline[r])));
    INFO(what << ": mean signed difference " << mean(diff) << ", SE " << standard_error(diff));
    REQUIRE(mean(diff) > 0);
    REQUIRE(mean(diff) > 3 * standard_error(diff));
}

// Before the policy starts (2015-04) the scenario and the baseline are identical.
void require_identical_before_2015_04(const Results& res) {
    const int policy_month = Month::from_ym(2015, 4) - Month::from_ym(2001, 1);
    for (int r = 0; r < kReplications; ++r)
        for (std::size_t k = 0; k < kMetricCount; ++k)
            for (int t = 0; t < policy_month; ++t)
                REQUIRE(res.policy[r].national(static_cast<Metric>(k), t) ==
                        res.baseline[r].national(static_cast<Metric>(k), t));
}

constexpr int up = +1, down = -1;

} // namespace

TEST_CASE("scenario information_campaign: more people hear of budgets") {
    const auto res = run_pair("information_campaign");
    require_identical_before_2015_04(res);
    require_direction(res, total(Metric::became_aware), up, "became aware");
    require_direction(res, total(Metric::cost_information_campaign), up, "campaign cost");
}

TEST_CASE("scenario coordinator_training: more requests and uptake") {
    const auto res = run_pair("coordinator_training");
    require_direction(res, total(Metric::new_requests), up, "requests");
    require_direction(res, uptake_at_end, up, "uptake");
}

TEST_CASE("scenario dp_support_everywhere: more DPs, higher uptake") {
    const auto res = run_pair("dp_support_everywhere");
    require_identical_before_2015_04(res);
    require_direction(res, total(Metric::new_dps), up, "new DPs");
    require_direction(res, uptake_at_end, up, "uptake");
}

TEST_CASE("scenario advocacy_everywhere: more requests") {
    const auto res = run_pair("advocacy_everywhere");
    require_direction(res, total(Metric::new_requests), up, "requests");
    require_direction(res, total(Metric::cost_advocacy), up, "advocacy cost");
}

TEST_CASE("scenario peer_support_groups: more requests") {
    const auto res = run_pair("peer_support_groups");
    require_direction(res, total(Metric::new_requests), up, "requests");
}

TEST_CASE("scenario simplified_application: more requests, higher uptake") {
    const auto res = run_pair("simplified_application");
    require_direction(res, total(Metric::new_requests), up, "requests");
    require_direction(res, uptake_at_end, up, "uptake");
}

TEST_CASE("scenario crisis_prevention: fewer crises, admissions and bed-days") {
    const auto res = run_pair("crisis_prevention");
    require_direction(res, total(Metric::crises), down, "crises");
    require_direction(res, total(Metric::admissions), down, "admissions");
    require_direction(res, total(Metric::cost_inpatient), down, "inpatient cost");
}

TEST_CASE("scenario integrated_budgets: larger budgets, less traditional spend, better care QoL") {
    const auto res = run_pair("integrated_budgets");
    require_direction(res, total(Metric::cost_pb_spend), up, "PB spend");
    require_direction(res, total(Metric::cost_traditional_services), down, "traditional services");
    require_direction(res, mean_crqol, up, "care-related quality of life");
}

TEST_CASE("scenario cuts_and_restructuring: lost requests, lower uptake, more crises") {
    const auto res = run_pair("cuts_and_restructuring");
    require_direction(res, total(Metric::lost_requests), up, "lost requests");
    require_direction(res, uptake_at_end, down, "uptake");
    require_direction(res, total(Metric::crises), up, "crises");
}

TEST_CASE("scenario combined_best: higher uptake, fewer crises, better care QoL") {
    const auto res = run_pair("combined_best");
    require_direction(res, uptake_at_end, up, "uptake");
    require_direction(res, total(Metric::crises), down, "crises");
    require_direction(res, mean_crqol, up, "care-related quality of life");
}

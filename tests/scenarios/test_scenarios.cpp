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

// A metric's national total from the policy date (2015-04) to the end.
Outcome total_from_2015_04(Metric m) {
    const int from = Month::from_ym(2015, 4) - Month::from_ym(2001, 1);
    return [m, from](const ReplicationResult& r) {
        double sum = 0;
        for (int t = from; t < r.months; ++t)
            sum += r.national(m, t);
        return sum;
    };
}

TEST_CASE("scenario integrated_budgets: no health-need refusals, one assessment, more budgets") {
    const auto res = run_pair("integrated_budgets");
    for (const auto& r : res.policy) { // the boundary is gone once budgets merge
        CHECK(total_from_2015_04(Metric::boundary_refusals)(r) == 0);
        CHECK(total_from_2015_04(Metric::health_assessments)(r) == 0);
    }
    require_direction(res, total_from_2015_04(Metric::boundary_refusals), down,
                      "health-need refusals");
    require_direction(res, total(Metric::new_pbs), up, "new budgets");
    require_direction(res, total(Metric::cost_pb_social_care), up, "council budget spend");
    require_direction(res, total(Metric::cost_health_assessment), down, "NHS assessments");
    require_direction(res, mean_crqol, up, "care-related quality of life");
}

TEST_CASE("scenario pooled_budget_nhs_funded: the same support, the NHS pays more") {
    const Scenario integrated = shipped("integrated_budgets");
    const Scenario pooled = shipped("pooled_budget_nhs_funded");
    for (int r = 0; r < 2; ++r) {
        const RunSettings settings{17, static_cast<std::uint32_t>(r), kScale};
        const auto a = simulate(integrated, settings), b = simulate(pooled, settings);
        // Who pays changes nothing that happens to anyone.
        for (Metric m : {Metric::new_pbs, Metric::crises, Metric::admissions, Metric::qalys,
                         Metric::holding_dp, Metric::holding_managed})
            REQUIRE(run_total(a, m) == run_total(b, m));
        auto spend = [](const ReplicationResult& r) {
            return run_total(r, Metric::cost_pb_social_care) +
                   run_total(r, Metric::cost_pb_health_council) +
                   run_total(r, Metric::cost_pb_health_nhs);
        };
        const double spend_a = spend(a), spend_b = spend(b);
        REQUIRE(spend_b == Approx(spend_a).epsilon(1e-9));
        REQUIRE(run_total(b, Metric::cost_pb_health_nhs) >
                run_total(a, Metric::cost_pb_health_nhs));
        REQUIRE(run_total(b, Metric::cost_nhs) > run_total(a, Metric::cost_nhs));
        REQUIRE(run_total(b, Metric::cost_council) < run_total(a, Metric::cost_council));
    }
}

TEST_CASE(
    "scenario contingency_planning: fewer admissions, more home treatment, fewer hand-backs") {
    const auto res = run_pair("contingency_planning");
    require_direction(res, total(Metric::contingency_plans), up, "contingency plans");
    require_direction(res, total(Metric::admissions), down, "admissions");
    require_direction(res, total(Metric::home_treatments), up, "home treatments");
    require_direction(res, total(Metric::hand_backs), down, "hand-backs");
}

TEST_CASE("scenario better_information: more requests, fewer hand-backs per budget held") {
    const auto res = run_pair("better_information");
    require_direction(res, total(Metric::new_requests), up, "requests");
    require_direction(res, uptake_at_end, up, "uptake");
    const Outcome handback_rate = [](const ReplicationResult& r) {
        const Outcome backs = total_from_2015_04(Metric::hand_backs);
        const Outcome dp = total_from_2015_04(Metric::holding_dp);
        const Outcome managed = total_from_2015_04(Metric::holding_managed);
        return backs(r) / (dp(r) + managed(r));
    };
    require_direction(res, handback_rate, down, "hand-backs per holder-month");
}

TEST_CASE("scenario cuts_and_restructuring: lost requests, lower uptake, more crises") {
    const auto res = run_pair("cuts_and_restructuring");
    require_direction(res, total(Metric::lost_requests), up, "lost requests");
    require_direction(res, uptake_at_end, down, "uptake");
    require_direction(res, total(Metric::crises), up, "crises");
    require_direction(res, mean_crqol, down, "care-related quality of life");
}

TEST_CASE("scenario combined_best: higher uptake, fewer crises, better care QoL") {
    const auto res = run_pair("combined_best");
    require_direction(res, uptake_at_end, up, "uptake");
    require_direction(res, total(Metric::crises), down, "crises");
    require_direction(res, mean_crqol, up, "care-related quality of life");
}

// Each barrier, support service and crisis-prevention lever moves the outcome it
// targets in the expected direction. Scenarios are paired by replication with
// the same seed (common random numbers), so the paired difference is mostly
// signal; we require its mean to be at least 3 standard errors from zero.
#include "model/simulation.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>

using namespace pbsim;
using namespace pbsim::testing;

namespace {

// A world in which budgets are in play: managed budgets exist, some campaign.
Scenario lever_world() {
    Scenario s = small_scenario(4000, 8, 10);
    s.set_constant("policy.managed_budgets", 1);
    s.set_constant("information.campaign_intensity", 0.3);
    return s;
}

// Mean over the run of a state count.
Outcome average(Metric m) {
    return [m](const ReplicationResult& r) { return run_total(r, m) / r.months; };
}

// Paired differences outcome(hi) - outcome(lo) over replications.
std::vector<double> paired(const std::string& key, double lo, double hi, const Outcome& outcome,
                           int replications = 6, Scenario base = lever_world()) {
    return paired_lever(base, key, lo, hi, outcome, replications, 2026);
}

} // namespace

TEST_CASE("awareness levers raise uptake") {
    SECTION("information campaign") {
        require_increase(
            paired("information.campaign_intensity", 0, 1, total(Metric::became_aware)));
        require_increase(paired("information.campaign_intensity", 0, 1, uptake_at_end));
    }
    SECTION("voluntary sector") {
        require_increase(
            paired("information.voluntary_strength", 0, 1, total(Metric::became_aware)));
    }
    SECTION("word of mouth from peers") {
        require_increase(paired("awareness.from_peer", 0, 0.2, total(Metric::became_aware)));
    }
    SECTION("coordinator training raises knowledge and attitude") {
        require_increase(paired("training.rate", 0, 0.05, total(Metric::new_requests)));
        require_increase(paired("training.rate", 0, 0.05, uptake_at_end));
    }
}

TEST_CASE("application burden and help with it") {
    SECTION("a simpler application raises requests") {
        require_decrease(
            paired("policy.application_complexity", 0.3, 2.0, total(Metric::new_requests)));
    }
    SECTION("DP support services raise requests, the DP share and lower hand-backs") {
        require_increase(paired("dp_support_service.coverage", 0, 1, total(Metric::new_requests)));
        require_increase(paired("dp_support_service.coverage", 0, 1, total(Metric::new_dps)));
        require_increase(paired("dp_support_service.coverage", 0, 1, uptake_at_end));
        // Hand-backs per DP held fall.
        require_decrease(
            paired("dp_support_service.coverage", 0, 1, [](const ReplicationResult& r) {
                return run_total(r, Metric::hand_backs) / run_total(r, Metric::holding_dp);
            }));
    }
    SECTION("advocacy raises awareness and requests") {
        require_increase(paired("advocacy.coverage", 0, 1, total(Metric::became_aware)));
        require_increase(paired("advocacy.coverage", 0, 1, total(Metric::new_requests)));
    }
    SECTION("peer support raises requests and lowers hand-backs") {
        require_increase(paired("peer_support.coverage", 0, 1, total(Metric::new_requests)));
        require_decrease(paired("peer_support.coverage", 0, 1, [](const ReplicationResult& r) {
            return run_total(r, Metric::hand_backs) /
                   (run_total(r, Metric::holding_dp) + run_total(r, Metric::holding_managed));
        }));
    }
}

TEST_CASE("gatekeeping levers") {
    SECTION("stricter eligibility means more refusals and lower uptake") {
        require_increase(paired("policy.eligibility_threshold", 0, 1, total(Metric::refusals)));
        require_decrease(paired("policy.eligibility_threshold", 0, 1, uptake_at_end));
    }
    SECTION("risk-averse coordinators refuse more") {
        require_increase(paired("assessment.risk_aversion_effect", 0, 4, total(Metric::refusals)));
    }
    SECTION("budget pressure lowers approvals and ends more budgets at review") {
        require_increase(paired("policy.budget_pressure", 0, 1, total(Metric::refusals)));
        // Per review: pressure also means fewer holders, hence fewer reviews.
        require_increase(paired("policy.budget_pressure", 0, 1, [](const ReplicationResult& r) {
            return run_total(r, Metric::review_endings) / run_total(r, Metric::reviews);
        }));
    }
    SECTION("coordinators who champion PBs raise uptake") {
        require_increase(paired("coordinator.attitude_mean", 0.2, 0.8, uptake_at_end));
    }
    SECTION("the duty to offer raises uptake") {
        require_increase(paired("policy.active_offer", 0, 1, uptake_at_end));
    }
    SECTION("less assessment capacity lengthens the queue") {
        require_decrease(
            paired("coordinator.assessment_capacity", 0.05, 2, average(Metric::requested)));
    }
}

TEST_CASE("restructuring breaks continuity") {
    require_increase(paired("workforce.restructuring", 0, 1, total(Metric::coordinator_changes)));
    require_increase(paired("workforce.restructuring", 0, 1, total(Metric::lost_requests)));
    require_increase(paired("workforce.restructuring", 0, 1, total(Metric::crises)));
    require_decrease(paired("workforce.restructuring", 0, 1, uptake_at_end));
}

TEST_CASE("crisis levers") {
    SECTION("crisis prevention lowers crises and admissions") {
        require_decrease(paired("crisis_prevention.coverage", 0, 1, total(Metric::crises)));
        require_decrease(paired("crisis_prevention.coverage", 0, 1, total(Metric::bed_days)));
    }
    SECTION("a stronger PB effect lowers crises") {
        require_decrease(paired("crisis.pb_effect", 0, 0.8, total(Metric::crises)));
    }
    SECTION("a change of coordinator raises crisis risk") {
        Scenario s = lever_world();
        s.set_constant("workforce.restructuring", 1);
        require_increase(paired("crisis.continuity_hr", 1, 3, total(Metric::crises), 6, s));
    }
}

TEST_CASE("allocation, market and substitution levers move costs and outcomes") {
    SECTION("larger budgets cost more") {
        require_increase(
            paired("allocation.amount_multiplier", 1, 2, total(Metric::cost_pb_social_care)));
    }
    SECTION("substitution lowers traditional services") {
        require_decrease(
            paired("policy.substitution", 0, 1, total(Metric::cost_traditional_services)));
    }
    SECTION("a developed market raises care-related quality of life") {
        require_increase(
            paired("policy.market_development", 0.2, 1, total(Metric::care_related_qol)));
    }
    SECTION("the PB utility gain raises QALYs") {
        require_increase(paired("outcome.utility_pb_gain", 0, 0.05, total(Metric::qalys)));
    }
    SECTION("managed budgets add uptake") {
        require_increase(paired("policy.managed_budgets", 0, 1, uptake_at_end));
    }
}

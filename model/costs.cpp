#include "model/costs.hpp"

namespace pbsim::costs {

void close_month(CouncilTally& t, const Parameters& p) {
    double population = 0;
    for (int s = 0; s < kPathwayStates; ++s)
        population += t.metric[index(Metric::unaware) + static_cast<std::size_t>(s)];
    t[Metric::population] = population;
    t[Metric::care_related_qol] = population > 0 ? t.ascot_sum / population : 0.0;

    const auto& k = p.cost;
    const double community = population - t[Metric::in_hospital];
    t[Metric::cost_traditional_services] = k.traditional_services * community - t.substituted;
    t[Metric::cost_care_coordination] = k.coordination_hours * k.hourly_rate * population;
    t[Metric::cost_assessment] =
        k.assessment_hours * k.hourly_rate * (t[Metric::approvals] + t[Metric::refusals]);
    t[Metric::cost_support_planning] =
        k.support_planning_hours * k.hourly_rate * t[Metric::new_pbs];
    t[Metric::cost_reviews] = k.review_hours * k.hourly_rate * t[Metric::reviews];
    t[Metric::cost_dp_support_service] = p.dp_support_service.cost * t[Metric::dp_support_users];
    t[Metric::cost_advocacy] = p.advocacy.cost * t[Metric::advocacy_users];
    t[Metric::cost_peer_support] = p.peer_support.cost * t[Metric::peer_support_members];
    t[Metric::cost_crisis_prevention] =
        p.crisis_prevention.cost * t[Metric::crisis_prevention_reached];
    t[Metric::cost_information_campaign] =
        p.information.campaign_cost * p.information.campaign_intensity * population;
    t[Metric::cost_coordinator_training] = k.training * t[Metric::coordinators_trained];
    t[Metric::cost_home_treatment] = k.home_treatment * t[Metric::home_treatments];
    t[Metric::cost_a_and_e] = k.a_and_e * t[Metric::a_and_e_attendances];
    t[Metric::cost_inpatient] = k.bed_day * t[Metric::bed_days];
}

} // namespace pbsim::costs

#include "model/costs.hpp"

#include "model/payers.hpp"

namespace pbsim::costs {

namespace {

// A service's fixed cost in a council where it runs; `threshold` is the
// council's reach threshold (reach_threshold of its coverage).
double fixed(const ServiceParams& s, std::uint32_t threshold, double sample_fraction) {
    return threshold >= reach_threshold(kRunningCoverage) ? s.fixed_cost * sample_fraction : 0.0;
}

} // namespace

void close_month(CouncilTally& t, const Parameters& p, const CouncilMonth& c,
                 double sample_fraction) {
    double population = 0;
    for (int s = 0; s < kPathwayStates; ++s)
        population += t.metric[index(Metric::unaware) + static_cast<std::size_t>(s)];
    t[Metric::population] = population;
    t[Metric::care_related_qol] = population > 0 ? t.ascot_sum / population : 0.0;

    const auto& k = p.cost;
    const double hour = k.hourly_rate;
    t[Metric::cost_traditional_services] = k.traditional_services * t[Metric::traditional_packages];
    t[Metric::cost_care_coordination] = k.coordination_hours * hour * population;
    t[Metric::cost_assessment] =
        k.assessment_hours * hour * (t[Metric::approvals] + t[Metric::refusals]);
    t[Metric::cost_health_assessment] = k.assessment_hours * hour * t[Metric::health_assessments];
    t[Metric::cost_support_planning] = k.support_planning_hours * hour * t[Metric::new_pbs];
    t[Metric::cost_contingency_planning] =
        p.contingency.planning_hours * hour * t[Metric::contingency_plans];
    t[Metric::cost_reviews] = k.review_hours * hour * t[Metric::reviews];
    t[Metric::cost_dp_support_service] =
        p.dp_support_service.cost * t[Metric::dp_support_users] +
        fixed(p.dp_support_service, c.cover_dp_support, sample_fraction);
    t[Metric::cost_advocacy] = p.advocacy.cost * t[Metric::advocacy_users] +
                               fixed(p.advocacy, c.cover_advocacy, sample_fraction);
    t[Metric::cost_peer_support] = p.peer_support.cost * t[Metric::peer_support_members] +
                                   fixed(p.peer_support, c.cover_peer_support, sample_fraction);
    t[Metric::cost_crisis_prevention] =
        p.crisis_prevention.cost * t[Metric::crisis_prevention_reached] +
        fixed(p.crisis_prevention, c.cover_crisis_prevention, sample_fraction);
    const auto& in = p.information;
    t[Metric::cost_information_campaign] = in.campaign_cost * in.campaign_intensity * population;
    t[Metric::cost_information_quality] = in.quality_cost * in.quality * population;
    t[Metric::cost_coordinator_training] = k.training * t[Metric::coordinators_trained];
    t[Metric::cost_home_treatment] = k.home_treatment * t[Metric::home_treatments];
    t[Metric::cost_a_and_e] = k.a_and_e * t[Metric::a_and_e_attendances];
    t[Metric::cost_inpatient] = k.bed_day * t[Metric::bed_days];
    apportion_to_payers(t.metric, p);
}

} // namespace pbsim::costs

#include "model/council_month.hpp"

#include <algorithm>
#include <cmath>

namespace pbsim {

double council_coverage(double coverage, double culture, double effect) {
    if (coverage >= 1) return 1;
    return 1 - std::pow(1 - coverage, std::pow(culture, effect));
}

CouncilMonth derive_council_month(const Parameters& p) {
    CouncilMonth c{};
    // Help from the services that reach a user (ServiceBits), combined as
    // independent shares taken away: of the application burden, of the chance
    // an application is lost on a change of coordinator, of planning time.
    const auto help_of = [&](unsigned bits) {
        return 1 - (1 - ((bits & kDpSupport) ? p.dp_support_service.effect : 0)) *
                       (1 - ((bits & kAdvocacy) ? p.advocacy.effect : 0)) *
                       (1 - ((bits & kPeerSupport) ? p.peer_support.effect : 0));
    };
    c.cover_dp_support = reach_threshold(p.dp_support_service.coverage);
    c.cover_advocacy = reach_threshold(p.advocacy.coverage);
    c.cover_peer_support = reach_threshold(p.peer_support.coverage);
    c.cover_crisis_prevention = reach_threshold(p.crisis_prevention.coverage);

    const auto& a = p.awareness;
    c.aware_not_general = static_cast<float>(
        (1 - a.background) * (1 - a.from_campaign * p.information.campaign_intensity) *
        (1 - a.from_voluntary * p.information.voluntary_strength));
    c.aware_not_advocate = static_cast<float>(1 - a.from_advocate);
    c.aware_not_group = static_cast<float>(1 - a.from_peer_group);
    for (int n = 0; n <= kMaxPeerCount; ++n)
        c.aware_not_peers[n] = static_cast<float>(std::pow(1 - a.from_peer, n));
    c.from_coordinator = static_cast<float>(a.from_coordinator);
    c.active_offer = static_cast<float>(p.policy.active_offer);

    const auto& r = p.request;
    const auto& al = p.allocation;
    for (unsigned bits = 0; bits < 8; ++bits) {
        const double burden = p.policy.application_complexity * (1 - help_of(bits));
        c.request_rate_by_help[bits] = static_cast<float>(
            r.base_rate * std::pow(al.amount_multiplier, r.generosity_effect) *
            std::exp(r.active_offer_effect * p.policy.active_offer - r.burden_effect * burden +
                     p.information.request_effect * p.information.quality));
    }
    for (int n = 0; n < 4; ++n)
        c.request_peer_factor[n] = static_cast<float>(std::exp(r.peer_effect * n));
    c.recent_crisis_hr = static_cast<float>(r.recent_crisis_hr);
    c.handed_back_hr = static_cast<float>(r.handed_back_hr);
    c.discouraged_months = static_cast<int>(std::lround(r.discouraged_months));

    const auto& w = p.workforce;
    c.turnover = static_cast<float>(std::min(
        1.0, p.coordinator.turnover * (1 + (w.restructuring_turnover - 1) * w.restructuring)));
    c.training_rate = static_cast<float>(p.training.rate);
    c.reassign = static_cast<float>(w.restructuring_reassign * w.restructuring);
    for (unsigned bits = 0; bits < 4; ++bits) {
        c.lost_request_by_help[bits] =
            static_cast<float>(w.lost_request_on_change * (1 - help_of(bits)));
        const double months = p.support_planning.mean_months * (1 - help_of(bits));
        c.planning_complete_by_help[bits] = static_cast<float>(months > 1 ? 1 / months : 1.0);
    }
    c.continuity_window = static_cast<int>(std::lround(w.continuity_window_months));

    const auto& as = p.assessment;
    c.assessment_complete = static_cast<float>(1 / as.mean_months);
    c.assessment_capacity = static_cast<float>(p.coordinator.assessment_capacity);
    c.approval_logit_base = as.approval_base -
                            as.eligibility_effect * p.policy.eligibility_threshold -
                            as.budget_pressure_effect * p.policy.budget_pressure +
                            as.active_offer_effect * p.policy.active_offer;
    const auto& b = p.boundary;
    c.merged = p.policy.merged_budgets >= 0.5;
    c.assessment_complete_health =
        static_cast<float>(1 / (as.mean_months + (c.merged ? 0.0 : b.second_assessment_months)));
    c.boundary_refusal = c.merged ? 0.0f : static_cast<float>(b.refusal);
    c.cover_health_need = reach_threshold(b.health_need_share);
    // A merged budget has NHS money where a personal health budget would have
    // been granted, and where the NHS pools its part.
    c.cover_nhs_funding =
        reach_threshold(c.merged ? std::max(b.phb_access, p.policy.nhs_pooling) : b.phb_access);
    c.health_part = static_cast<float>(b.health_part);
    c.approval_attitude = as.attitude_effect;
    c.approval_risk = as.risk_aversion_effect;

    const auto& sp = p.support_planning;
    c.dp_share = static_cast<float>(sp.dp_share);
    c.dp_share_supported = static_cast<float>(std::min(1.0, sp.dp_share + sp.dp_support_dp_gain));
    c.managed_budgets = p.policy.managed_budgets >= 0.5;
    c.median_amount = {al.median_severity_1 * al.amount_multiplier,
                       al.median_severity_2 * al.amount_multiplier,
                       al.median_severity_3 * al.amount_multiplier};
    c.reference_amount = {al.median_severity_1, al.median_severity_2, al.median_severity_3};
    c.amount_sigma = al.sigma;
    c.amount_cap = al.max_amount * al.amount_multiplier;
    c.effect_elasticity = al.effect_elasticity;
    c.effect_scale_cap = al.effect_scale_cap;

    const auto& h = p.holding;
    c.handback_managed = static_cast<float>(h.handback_rate);
    c.handback_dp = static_cast<float>(h.handback_rate *
                                       std::exp(h.burden_effect * p.policy.application_complexity));
    c.handback_dp_support_hr = static_cast<float>(h.dp_support_hr);
    c.handback_peer_hr = static_cast<float>(h.peer_support_hr);
    c.handback_continuity_hr = static_cast<float>(h.continuity_hr);
    c.review_end = static_cast<float>(
        std::min(1.0, h.review_end * (1 + h.review_pressure_effect * p.policy.budget_pressure)));
    c.usable_share = static_cast<float>(p.policy.market_development);
    const auto& in = p.information;
    c.early_handback_factor = static_cast<float>(1 + in.early_handback_excess * (1 - in.quality));
    c.early_months = static_cast<int>(std::lround(in.early_months));
    c.contingency_handback_hr = static_cast<float>(p.contingency.handback_hr);
    c.contingency_admission_hr = static_cast<float>(p.contingency.admission_hr);
    c.cover_contingency = reach_threshold(p.contingency.coverage);
    c.traditional_level = static_cast<float>(p.policy.traditional_level);
    c.traditional_cost = static_cast<float>(p.cost.traditional_services);
    c.substitution = static_cast<float>(p.policy.substitution);
    const double shortfall = 1 - p.policy.traditional_level; // services do something

    const auto& cr = p.crisis;
    const double crisis_shortfall = 1 + p.services.crisis_shortfall_effect * shortfall;
    c.crisis_rate = {static_cast<float>(cr.rate_severity_1 * crisis_shortfall),
                     static_cast<float>(cr.rate_severity_2 * crisis_shortfall),
                     static_cast<float>(cr.rate_severity_3 * crisis_shortfall)};
    c.crisis_pb_effect = static_cast<float>(cr.pb_effect * p.policy.market_development);
    c.crisis_buildup_months = static_cast<float>(cr.buildup_months);
    c.crisis_prevention_factor = static_cast<float>(1 - p.crisis_prevention.effect);
    c.crisis_continuity_hr = static_cast<float>(cr.continuity_hr);
    c.share_admission = static_cast<float>(cr.share_admission);
    c.share_home_treatment = static_cast<float>(cr.share_home_treatment);
    c.los_median = cr.los_median_days;
    c.los_sigma = cr.los_sigma;

    const auto& o = p.outcome;
    const double ascot_loss = p.services.ascot_shortfall_loss * shortfall;
    const double utility_loss = p.services.utility_shortfall_loss * shortfall;
    c.ascot = {static_cast<float>(o.ascot_severity_1 - ascot_loss),
               static_cast<float>(o.ascot_severity_2 - ascot_loss),
               static_cast<float>(o.ascot_severity_3 - ascot_loss)};
    c.utility = {static_cast<float>(o.utility_severity_1 - utility_loss),
                 static_cast<float>(o.utility_severity_2 - utility_loss),
                 static_cast<float>(o.utility_severity_3 - utility_loss)};
    c.ascot_gain = static_cast<float>(o.ascot_pb_gain * p.policy.market_development);
    c.ascot_loss = static_cast<float>(o.ascot_crisis_loss);
    c.utility_gain = static_cast<float>(o.utility_pb_gain * p.policy.market_development);
    c.utility_loss = static_cast<float>(o.utility_crisis_loss);
    return c;
}

} // namespace pbsim

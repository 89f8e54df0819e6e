// Coefficients of every monthly process for one council, derived once a month
// from that council's parameters so the per-user pass does no transcendental
// arithmetic: hazards are products of precomputed factors.
#pragma once

#include "model/parameters.hpp"

#include <array>
#include <cstdint>

namespace pbsim {

// Services that reach a user this month, as bits; the low three (help with an
// application) index request_rate_by_help.
enum ServiceBits : unsigned {
    kDpSupport = 1,
    kAdvocacy = 2,
    kPeerSupport = 4,
    kCrisisPrevention = 8
};

// A service with coverage c reaches users whose 16-bit reach value is below
// round(c * 65536); coverage 1 reaches everyone.
inline std::uint32_t reach_threshold(double coverage) {
    return static_cast<std::uint32_t>(coverage * 65536.0 + 0.5);
}
inline constexpr int kMaxPeerCount = 8; // peers beyond this add nothing more to awareness

struct CouncilMonth {
    // service reach thresholds (see reach_threshold)
    std::uint32_t cover_dp_support, cover_advocacy, cover_peer_support, cover_crisis_prevention;

    // awareness: probabilities of *not* hearing through each channel
    float aware_not_general;  // background x campaign x voluntary sector
    float aware_not_advocate; // extra, for users advocacy reaches
    float aware_not_group;    // extra, for peer-group members
    std::array<float, kMaxPeerCount + 1> aware_not_peers; // by number of peers holding
    float from_coordinator;
    float active_offer;

    // request
    std::array<float, 8> request_rate_by_help; // base x active offer x unhelped burden
    std::array<float, 4> request_peer_factor;  // by peers holding, 0..3
    float recent_crisis_hr, handed_back_hr;
    int discouraged_months;

    // workforce
    float turnover, training_rate, reassign;
    std::array<float, 4> lost_request_by_help; // by DP support and advocacy bits
    int continuity_window;

    // assessment, and the health/social care boundary
    float assessment_complete, assessment_capacity;
    float assessment_complete_health; // a person with health needs (two assessments if split)
    bool merged;                      // health and social care budgets merged
    float boundary_refusal;           // split funding: refusal of health-need requests
    std::uint32_t cover_health_need, cover_nhs_funding; // rank thresholds (reach_threshold)
    float health_part;
    double approval_logit_base; // includes eligibility, budget pressure and active offer
    double approval_attitude, approval_risk;

    // support planning and allocation
    float dp_share, dp_share_supported;
    std::array<float, 4> planning_complete_by_help; // by DP support and advocacy bits
    bool managed_budgets;
    std::array<double, 3> median_amount;    // by severity, before council level
    std::array<double, 3> reference_amount; // the same at amount_multiplier 1
    double amount_sigma, amount_cap;
    double effect_elasticity, effect_scale_cap;

    // holding
    float handback_dp, handback_managed; // base hazard, burden included
    float handback_dp_support_hr, handback_peer_hr, handback_continuity_hr;
    float review_end;
    float usable_share;          // market development: share of a budget that can be spent
    float early_handback_factor; // hand-back hazard multiplier in a budget's first months
    int early_months;
    float contingency_handback_hr, contingency_admission_hr;
    std::uint32_t cover_contingency;

    // traditional services and what budgets replace
    float traditional_level, traditional_cost, substitution;

    // crisis
    std::array<float, 3> crisis_rate;
    float crisis_pb_effect, crisis_buildup_months, crisis_prevention_factor, crisis_continuity_hr;
    float share_admission, share_home_treatment;
    double los_median, los_sigma;

    // outcomes
    std::array<float, 3> ascot, utility;
    float ascot_gain, ascot_loss, utility_gain, utility_loss;
};

CouncilMonth derive_council_month(const Parameters& p);

// Coverage of a service in a council of a given DP culture, from the coverage
// c of a council of culture 1: 1 - (1 - c)^(culture^effect).
double council_coverage(double coverage, double culture, double effect);

// Terms of a person's request and hand-back hazards that depend only on who
// they are; these change only when the effect parameters change.
struct PersonEffects {
    double trust, confidence, carer, handback_confidence;
    bool operator==(const PersonEffects&) const = default;
};
inline PersonEffects person_effects(const Parameters& p) {
    return {p.request.trust_effect, p.request.confidence_effect, p.request.carer_effect,
            p.holding.confidence_effect};
}

} // namespace pbsim

// Process 8, costs and outcomes. Per user each month: care-related quality of
// life (ASCOT-like, raised by a PB as in the Personal Health Budgets
// Evaluation) and health utility (small, uncertain PB effect), both lowered in a
// month with a crisis or in hospital and by a shortfall of traditional
// services; a budget's spend in its two parts; the traditional services the
// user gets (the package level, less what their budget replaces); the support
// services they use. At the end of the month every cost category is priced
// from the month's counts and apportioned to its payers. GBP at 2012-13 prices,
// undiscounted (discounting is applied in the summary).
#pragma once

#include "model/month.hpp"

#include <algorithm>

namespace pbsim::costs {

inline void account_user(MonthContext& m, const UserMonth& um, const CouncilMonth& c, bool crisis) {
    const auto& u = m.world.users;
    const std::uint32_t i = um.i;
    auto& tally = m.tally[u.council[i]];
    const PathwayState s = u.state[i];
    tally.metric[static_cast<std::size_t>(s) + index(Metric::unaware)] += 1;
    const int sev = u.severity[i] - 1;
    float ascot = c.ascot[sev], utility = c.utility[sev];
    const bool in_hospital = u.hospital_days_left[i] > 0;
    float package = in_hospital ? 0.0f : c.traditional_level;
    if (is_holding(s)) {
        const float held = static_cast<float>(m.t - u.state_since[i]);
        const float built =
            c.crisis_buildup_months > 0 ? std::min(1.0f, held / c.crisis_buildup_months) : 1.0f;
        ascot += c.ascot_gain * built * u.pb_effect_scale[i];
        utility += c.utility_gain * built * u.pb_effect_scale[i];
        const float to_month = c.usable_share / 12.0f;
        const float nhs = u.pb_health[i] * to_month, council = u.pb_health_council[i] * to_month;
        tally[Metric::cost_pb_health_nhs] += nhs;
        tally[Metric::cost_pb_health_council] += council;
        tally[Metric::cost_pb_social_care] += u.pb_amount[i] * to_month - nhs - council;
        package = std::max(0.0f, package - u.pb_replaced[i]);
        tally[Metric::holding_with_contingency_plan] += u.has_contingency_plan[i];
        tally[Metric::holding_with_nhs_part] += u.pb_health[i] > 0 ? 1 : 0;
    }
    tally[Metric::traditional_packages] += package;
    if (crisis || in_hospital) {
        ascot -= c.ascot_loss;
        utility -= c.utility_loss;
    }
    tally.ascot_sum += std::clamp(ascot, 0.0f, 1.0f);        // ASCOT is a 0-1 score
    tally[Metric::qalys] += std::min(utility, 1.0f) / 12.0f; // 1 = full health
    if (in_hospital) tally[Metric::in_hospital] += 1;
    // Services are costed by use, in the states where they act: DP support and
    // advocacy for those applying (they keep an application going through a
    // change of coordinator and speed up the plan), DP support for DP holders
    // (hand-backs); peer groups for members. What knowing help is there does
    // before a request (the burden of 7.7) and an advocate's outreach to the
    // unaware are the services' fixed costs.
    const unsigned sv = um.services;
    const bool applying = s == PathwayState::requested || s == PathwayState::in_assessment ||
                          s == PathwayState::support_planning;
    // In hospital the pathway pauses and neither service has anything to do.
    tally[Metric::dp_support_users] +=
        (sv & kDpSupport) && !in_hospital && (applying || s == PathwayState::holding_dp);
    tally[Metric::advocacy_users] += (sv & kAdvocacy) && !in_hospital && applying;
    tally[Metric::peer_support_members] += (sv & kPeerSupport) ? 1 : 0;
    tally[Metric::crisis_prevention_reached] += (sv & kCrisisPrevention) ? 1 : 0;
}

// Prices the month's counts of one council, apportions them to payers and
// completes its derived metrics. A service runs in a council (and costs its
// fixed cost there) where it reaches at least kRunningCoverage of users;
// `sample_fraction` (simulated over national users) scales the fixed costs,
// as the summary scales all counts back up by its inverse.
inline constexpr double kRunningCoverage = 0.01;
void close_month(CouncilTally& tally, const Parameters& p, const CouncilMonth& c,
                 double sample_fraction);

} // namespace pbsim::costs

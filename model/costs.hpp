// Process 8, costs and outcomes. Per user each month: care-related quality of
// life (ASCOT-like, raised by a PB as in the Personal Health Budgets
// Evaluation) and health utility (small, uncertain PB effect), both lowered in a
// month with a crisis or in hospital; PB spend and the traditional services it
// substitutes. At the end of the month every cost category is priced from the
// month's counts. GBP at 2012-13 prices, undiscounted (discounting is applied
// in the summary).
#pragma once

#include "model/month.hpp"

#include <algorithm>

namespace pbsim::costs {

inline void account_user(MonthContext& m, const UserMonth& um, const CouncilMonth& c, bool crisis,
                         float traditional_per_month, float substitution) {
    const auto& u = m.world.users;
    const std::uint32_t i = um.i;
    auto& tally = m.tally[u.council[i]];
    const PathwayState s = u.state[i];
    tally.metric[static_cast<std::size_t>(s) + index(Metric::unaware)] += 1;
    const int sev = u.severity[i] - 1;
    float ascot = c.ascot[sev], utility = c.utility[sev];
    const bool in_hospital = u.hospital_days_left[i] > 0;
    if (is_holding(s)) {
        const float held = static_cast<float>(m.t - u.state_since[i]);
        const float built =
            c.crisis_buildup_months > 0 ? std::min(1.0f, held / c.crisis_buildup_months) : 1.0f;
        ascot += c.ascot_gain * built * u.pb_effect_scale[i];
        utility += c.utility_gain * built * u.pb_effect_scale[i];
        const float spend = u.pb_amount[i] * c.usable_share / 12.0f;
        tally[Metric::cost_pb_spend] += spend;
        if (!in_hospital)
            tally.substituted += std::min(traditional_per_month, substitution * spend);
    }
    if (crisis || in_hospital) {
        ascot -= c.ascot_loss;
        utility -= c.utility_loss;
    }
    tally.ascot_sum += std::clamp(ascot, 0.0f, 1.0f);        // ASCOT is a 0-1 score
    tally[Metric::qalys] += std::min(utility, 1.0f) / 12.0f; // 1 = full health
    if (in_hospital) tally[Metric::in_hospital] += 1;
    // Services are costed for every user they help: DP support from awareness
    // to holding a DP; advocacy for anyone not (yet) holding a budget.
    const unsigned sv = um.services;
    tally[Metric::dp_support_users] +=
        (sv & kDpSupport) && s != PathwayState::unaware && s != PathwayState::holding_managed;
    tally[Metric::advocacy_users] += (sv & kAdvocacy) && !is_holding(s);
    tally[Metric::peer_support_members] += (sv & kPeerSupport) ? 1 : 0;
    tally[Metric::crisis_prevention_reached] += (sv & kCrisisPrevention) ? 1 : 0;
}

// Prices the month's counts of one council and completes its derived metrics.
void close_month(CouncilTally& tally, const Parameters& p);

} // namespace pbsim::costs

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

inline void account_user(MonthContext& m, std::uint32_t i, const CouncilMonth& c, bool crisis,
                         float traditional_per_month, float substitution) {
    const auto& u = m.world.users;
    auto& tally = m.tally[u.council[i]];
    const PathwayState s = u.state[i];
    tally.metric[static_cast<std::size_t>(s) + index(Metric::unaware)] += 1;
    const int sev = u.severity[i] - 1;
    float ascot = c.ascot[sev], utility = c.utility[sev];
    const bool in_hospital = u.hospital_days_left[i] > 0;
    if (is_holding(s)) {
        const float held = static_cast<float>(m.t - u.state_since[i]);
        const float built = c.crisis_buildup_months > 0
                                ? std::min(1.0f, held / c.crisis_buildup_months)
                                : 1.0f;
        ascot += c.ascot_gain * built;
        utility += c.utility_gain * built;
        const float spend = u.pb_amount[i] * c.usable_share / 12.0f;
        tally[Metric::cost_pb_spend] += spend;
        if (!in_hospital) tally.substituted += std::min(traditional_per_month, substitution * spend);
    }
    if (crisis || in_hospital) {
        ascot -= c.ascot_loss;
        utility -= c.utility_loss;
    }
    tally.ascot_sum += ascot;
    tally[Metric::qalys] += utility / 12.0f;
    if (in_hospital) tally[Metric::in_hospital] += 1;
    // Services are costed for every user they help: DP support from awareness
    // to holding a DP; advocacy for anyone not (yet) holding a budget.
    if (u.reach_dp_support[i] < c.cover_dp_support && s != PathwayState::unaware &&
        s != PathwayState::holding_managed)
        tally[Metric::dp_support_users] += 1;
    if (u.reach_advocacy[i] < c.cover_advocacy && !is_holding(s)) tally[Metric::advocacy_users] += 1;
    if (u.reach_peer_support[i] < c.cover_peer_support) tally[Metric::peer_support_members] += 1;
    if (u.reach_crisis_prevention[i] < c.cover_crisis_prevention)
        tally[Metric::crisis_prevention_reached] += 1;
}

// Prices the month's counts of one council and completes its derived metrics.
void close_month(CouncilTally& tally, const Parameters& p);

} // namespace pbsim::costs

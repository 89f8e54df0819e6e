// Process 5, support planning and allocation: planning ends each month with
// probability 1 / mean duration; the resource allocation system sets an annual
// amount (lognormal by council and severity, capped); the user takes a direct
// payment or, once they exist, a managed budget (a DP support service raises
// the DP share). Larger budgets do more: the holder's PB effects scale with
// the amount relative to a median budget.
#pragma once

#include "model/month.hpp"
#include "model/population.hpp"

namespace pbsim::allocation {

inline void step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    auto& u = m.world.users;
    const std::uint32_t i = um.i;
    if (r[0] >= c.planning_complete) return;
    const float dp_share = (um.services & kDpSupport) ? c.dp_share_supported : c.dp_share;
    const bool dp = !c.managed_budgets || r[1] < dp_share;
    u.pb_amount[i] = draw_amount(c, m.world.councils[u.council[i]], u.severity[i], r[2], r[3]);
    u.pb_effect_scale[i] = effect_scale(c, u.severity[i], u.pb_amount[i]);
    m.move(i, dp ? PathwayState::holding_dp : PathwayState::holding_managed);
    auto& tally = m.tally[u.council[i]];
    tally[Metric::new_pbs] += 1;
    if (dp) tally[Metric::new_dps] += 1;
}

} // namespace pbsim::allocation

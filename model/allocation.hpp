// Process 5, support planning and allocation: planning ends each month with
// probability 1 / mean duration; the resource allocation system sets an annual
// amount (lognormal by council and severity, capped); the user takes a direct
// payment or, once they exist, a managed budget (a DP support service raises
// the DP share). Larger budgets do more: the holder's PB effects scale with
// the amount relative to a median budget.
//
// A budget has a social-care part and may have an NHS part. For a person with
// health needs, split funding cuts the council's budget back to the social
// care part of the need, and the health part comes as a personal health budget
// only where one is granted; a merged budget covers the whole need, with the
// NHS paying the health part where it funds (see CouncilMonth). The support
// plan then sets what the budget replaces and any contingency plan.
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
    const float need = draw_amount(c, m.world.councils[u.council[i]], u.severity[i], r[2], r[3]);
    float amount = need, nhs_part = 0;
    if (u.rank_health_need[i] < c.cover_health_need) {
        const bool nhs_funds = u.rank_nhs_funding[i] < c.cover_nhs_funding;
        if (!c.merged && !nhs_funds) amount = need * (1 - c.health_part); // cut back
        if (nhs_funds) nhs_part = need * c.health_part;
    }
    m.move(i, dp ? PathwayState::holding_dp : PathwayState::holding_managed);
    u.pb_amount[i] = amount;
    u.pb_health[i] = nhs_part;
    plan_budget_support(u, i, c);
    auto& tally = m.tally[u.council[i]];
    tally[Metric::new_pbs] += 1;
    if (dp) tally[Metric::new_dps] += 1;
    if (u.has_contingency_plan[i]) tally[Metric::contingency_plans] += 1;
}

} // namespace pbsim::allocation

// Process 5, support planning and allocation: planning ends each month with
// probability 1 / mean duration; the resource allocation system sets an annual
// amount (lognormal by council and severity, capped); the user takes a direct
// payment or, once they exist, a managed budget (a DP support service raises
// the DP share). Larger budgets do more: the holder's PB effects scale with
// the amount relative to a median budget.
//
// The amount drawn is the assessed need; plan_budget_support turns it into a
// budget with a social-care part and, for a person with health needs, a
// health part funded by the NHS, by the council (merged budgets) or not at all
// (split funding: cut back), and sets what the budget replaces and any
// contingency plan. Reviews do the same again under the funding, substitution
// and effect rules then in force (the need itself is fixed for the spell).
#pragma once

#include "model/clock.hpp"
#include "model/month.hpp"
#include "model/population.hpp"

namespace pbsim::allocation {

// The probability support planning ends this month.
inline float completion(const UserMonth& um, const CouncilMonth& c) {
    return c.planning_complete_by_help[um.services & (kDpSupport | kAdvocacy)];
}
inline clock::Bound bound(const UserMonth& um, const CouncilMonth& c) {
    return {completion(um, c), kNever};
}

inline void step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    auto& u = m.world.users;
    const std::uint32_t i = um.i;
    // DP support and advocacy help write the plan: it is done sooner.
    if (r[0] >= completion(um, c)) return;
    const float dp_share = (um.services & kDpSupport) ? c.dp_share_supported : c.dp_share;
    const bool dp = !c.managed_budgets || r[1] < dp_share;
    m.move(i, dp ? PathwayState::holding_dp : PathwayState::holding_managed);
    u.pb_need[i] = draw_amount(c, m.world.councils[u.council[i]], u.severity[i], r[2], r[3]);
    plan_budget_support(u, i, c);
    auto& tally = m.tally[u.council[i]];
    tally[Metric::new_pbs] += 1;
    if (dp) tally[Metric::new_dps] += 1;
    if (u.has_contingency_plan[i]) tally[Metric::contingency_plans] += 1;
}

} // namespace pbsim::allocation

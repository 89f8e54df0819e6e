// Process 6, holding a budget: a monthly hand-back hazard, higher for direct
// payments as the burden rises and for users with low confidence, lower with a
// DP support service or a peer group, higher after a change of coordinator;
// and an annual review that may end the budget (more often under budget
// pressure). Either way the user returns to traditional services. The first
// months are the hardest, less so with good information; a contingency plan
// lowers the hazard. A review also revisits what the budget replaces and the
// contingency plan (plan_budget_support).
#pragma once

#include "model/month.hpp"
#include "model/population.hpp"

namespace pbsim::holding {

// The annual review, every 12 months of holding (also in hospital): it may end
// the budget; otherwise the budget is planned again under this month's rules.
// Returns true if it ended the budget.
inline bool review(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    auto& u = m.world.users;
    const std::uint32_t i = um.i;
    const std::int32_t held = m.t - u.state_since[i];
    if (held <= 0 || held % 12 != 0) return false;
    auto& tally = m.tally[u.council[i]];
    tally[Metric::reviews] += 1;
    if (r[1] < c.review_end) {
        m.move(i, PathwayState::handed_back);
        tally[Metric::review_endings] += 1;
        return true;
    }
    plan_budget_support(u, i, c);
    if (u.has_contingency_plan[i]) tally[Metric::contingency_plans] += 1;
    return false;
}

inline void step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    auto& u = m.world.users;
    const std::uint32_t i = um.i;
    const bool dp = u.state[i] == PathwayState::holding_dp;
    float h = (dp ? c.handback_dp : c.handback_managed) * u.handback_propensity[i];
    if (dp && (um.services & kDpSupport)) h *= c.handback_dp_support_hr;
    if (um.services & kPeerSupport) h *= c.handback_peer_hr;
    if (um.recent_change) h *= c.handback_continuity_hr;
    if (u.has_contingency_plan[i]) h *= c.contingency_handback_hr;
    const std::int32_t held = m.t - u.state_since[i];
    if (held < c.early_months) h *= c.early_handback_factor;
    auto& tally = m.tally[u.council[i]];
    if (r[0] < h) {
        m.move(i, PathwayState::handed_back);
        tally[Metric::hand_backs] += 1;
        return;
    }
    review(m, um, c, r);
}

} // namespace pbsim::holding

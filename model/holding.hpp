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

// The month of the next annual review at or after `from`.
inline std::int32_t next_review(std::int32_t since, std::int32_t from) {
    const std::int32_t held = from - since;
    if (held <= 0) return since + 12;
    return from + (12 - held % 12) % 12;
}

// The annual review, every 12 months of holding (also in hospital): it may end
// the budget; otherwise the budget is planned again under this month's rules.
// Returns true if it ended the budget.
inline bool review(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    auto& u = m.world.users;
    const std::uint32_t i = um.i;
    if (next_review(u.state_since[i], m.t) != m.t) return false;
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

// The hand-back hazard with the factors of a recent change of coordinator and
// of a budget's first months given.
inline float hazard(const World& w, const UserMonth& um, const CouncilMonth& c,
                    float continuity_factor, float early_factor) {
    const auto& u = w.users;
    const std::uint32_t i = um.i;
    const bool dp = u.state[i] == PathwayState::holding_dp;
    float h = (dp ? c.handback_dp : c.handback_managed) * u.handback_propensity[i];
    if (dp && (um.services & kDpSupport)) h *= c.handback_dp_support_hr;
    if (um.services & kPeerSupport) h *= c.handback_peer_hr;
    h *= continuity_factor;
    if (u.has_contingency_plan[i]) h *= c.contingency_handback_hr;
    h *= early_factor;
    return h;
}

// The bound from month `from` (um at `from`) until the next visit, in spans
// that end when the continuity or the early-months factor wears off.
inline clock::Bound bound(const World& w, const UserMonth& um, const CouncilMonth& c,
                          std::int32_t from) {
    const std::int32_t early_ends = w.users.state_since[um.i] + c.early_months;
    const std::int32_t continuity_ends = um.lost_at + c.continuity_window;
    std::int32_t until = kNever;
    if (from < early_ends) until = early_ends;
    if (um.recent_change) until = std::min(until, continuity_ends);
    return {hazard(w, um, c, um.recent_change ? c.handback_continuity_hr : 1.0f,
                   from < early_ends ? c.early_handback_factor : 1.0f),
            until};
}

inline void step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    auto& u = m.world.users;
    const std::uint32_t i = um.i;
    const std::int32_t held = m.t - u.state_since[i];
    const float h = hazard(m.world, um, c, um.recent_change ? c.handback_continuity_hr : 1.0f,
                           held < c.early_months ? c.early_handback_factor : 1.0f);
    auto& tally = m.tally[u.council[i]];
    if (r[0] < h) {
        m.move(i, PathwayState::handed_back);
        tally[Metric::hand_backs] += 1;
        return;
    }
    review(m, um, c, r);
}

} // namespace pbsim::holding

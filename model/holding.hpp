// Process 6, holding a budget: a monthly hand-back hazard, higher for direct
// payments as the burden rises and for users with low confidence, lower with a
// DP support service or a peer group, higher after a change of coordinator;
// and an annual review that may end the budget (more often under budget
// pressure). Either way the user returns to traditional services.
#pragma once

#include "model/month.hpp"

namespace pbsim::holding {

inline void step(MonthContext& m, std::uint32_t i, const CouncilMonth& c) {
    auto& u = m.world.users;
    const bool dp = u.state[i] == PathwayState::holding_dp;
    float h = (dp ? c.handback_dp : c.handback_managed) * u.handback_propensity[i];
    if (dp && u.reach_dp_support[i] < c.cover_dp_support) h *= c.handback_dp_support_hr;
    if (u.reach_peer_support[i] < c.cover_peer_support) h *= c.handback_peer_hr;
    if (m.t - continuity_lost_at(m.world, i) < c.continuity_window) h *= c.handback_continuity_hr;
    const auto r = m.rng.uniform4(Purpose::holding, i, m.key);
    auto& tally = m.tally[u.council[i]];
    if (r[0] < h) {
        m.move(i, PathwayState::handed_back);
        tally[Metric::hand_backs] += 1;
        return;
    }
    const std::int32_t held = m.t - u.state_since[i];
    if (held > 0 && held % 12 == 0) {
        tally[Metric::reviews] += 1;
        if (r[1] < c.review_end) {
            m.move(i, PathwayState::handed_back);
            tally[Metric::review_endings] += 1;
        }
    }
}

} // namespace pbsim::holding

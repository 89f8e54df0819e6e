// Process 1b, workforce: coordinators leave (turnover, raised by
// restructuring) and are replaced by new staff with drawn attitudes; some are
// trained; restructuring moves users between coordinators. A user whose
// coordinator changes loses continuity (crisis and hand-back risk rise, a
// pending request may be lost).
#pragma once

#include "model/month.hpp"
#include "model/scenario.hpp"

namespace pbsim::workforce {

// Turnover and training of every post, then the coordinator-level factors used
// by the user pass (awareness, encouragement, queue). `params` and
// m.coefficients are by council, then (if `post_arm` is not empty) by council
// for the posts with post_arm[post] = 1 (a trial's intervention teams).
// `waiting` is the number of requests waiting in each council at the start of
// the month; posts whose holder left or was trained are added to `changed`.
void step(MonthContext& m, const std::vector<Parameters>& params,
          const std::vector<std::uint8_t>& post_arm, const std::vector<std::uint32_t>& waiting,
          std::vector<std::uint32_t>& changed);

// The monthly reassignment probability of user i (none in a council of one post).
inline clock::Bound reassignment_bound(const World& w, std::uint32_t i, const CouncilMonth& c) {
    return {w.councils[w.users.council[i]].post_count < 2 ? 0.0f : c.reassign, kNever};
}

// Restructuring: moves user i to another post in their council with the month's
// reassignment probability. Returns true if the user moved.
inline bool reassign(MonthContext& m, std::uint32_t i, const CouncilMonth& c, const Draw4& r) {
    auto& u = m.world.users;
    const auto& la = m.world.councils[u.council[i]];
    if (la.post_count < 2) return false;
    if (r[0] >= c.reassign) return false;
    const auto offset = std::min<std::uint32_t>(
        la.post_count - 2, static_cast<std::uint32_t>(r[1] * (la.post_count - 1)));
    const std::uint32_t current = u.coordinator[i] - la.first_post;
    u.coordinator[i] = la.first_post + (offset >= current ? offset + 1 : offset);
    u.coordinator_since[i] = m.t;
    u.reassigned_at[i] = m.t;
    return true;
}

} // namespace pbsim::workforce

// Process 3, request: an aware user (or one who handed a budget back) asks for
// a PB. Proportional hazards: base rate x exp(-burden not offset by help from a
// DP support service, advocate or peer group) x the person's trust, confidence
// and carer x coordinator encouragement x peers holding x recent crisis, and
// none while discouraged after a refusal.
#pragma once

#include "model/month.hpp"

#include <algorithm>

namespace pbsim::request {

inline void step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    const auto& u = m.world.users;
    const std::uint32_t i = um.i;
    if (m.t < u.discouraged_until[i]) return;
    const unsigned help = um.services & (kDpSupport | kAdvocacy | kPeerSupport);
    float p = c.request_rate_by_help[help] * u.request_propensity[i] *
              m.world.coordinators.request_factor[u.coordinator[i]] *
              c.request_peer_factor[std::min<int>(u.peers_holding[i], 3)];
    if (m.t - u.last_crisis[i] <= 3) p *= c.recent_crisis_hr;
    if (u.state[i] == PathwayState::handed_back) p *= c.handed_back_hr;
    if (r[0] < p) {
        m.move(i, PathwayState::requested);
        m.tally[u.council[i]][Metric::new_requests] += 1;
    }
}

} // namespace pbsim::request

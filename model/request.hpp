// Process 3, request: an aware user (or one who handed a budget back) asks for
// a PB. Proportional hazards: base rate x exp(-burden not offset by help from a
// DP support service, advocate or peer group) x the person's trust, confidence
// and carer x coordinator encouragement x peers holding x recent crisis, and
// none while discouraged after a refusal.
#pragma once

#include "model/month.hpp"

#include <algorithm>

namespace pbsim::request {

inline constexpr int kRecentCrisisMonths = 3; // a crisis raises the hazard for this long

// The hazard, less the time-limited factors (discouragement, a recent crisis).
inline float rate(const World& w, std::uint32_t i, unsigned services, const CouncilMonth& c) {
    const auto& u = w.users;
    const unsigned help = services & (kDpSupport | kAdvocacy | kPeerSupport);
    float p = c.request_rate_by_help[help] * u.request_propensity[i] *
              w.coordinators.request_factor[u.coordinator[i]] *
              c.request_peer_factor[std::min<int>(u.peers_holding[i], 3)];
    if (u.state[i] == PathwayState::handed_back) p *= c.handed_back_hr;
    return p;
}

// Whether one more peer holding a budget (`before` now) raises the hazard. It
// never lowers it (request.peer_effect >= 0), so a falling count needs no
// earlier visit.
inline bool raised_by_peer(const CouncilMonth& c, int before) {
    constexpr int last = static_cast<int>(std::tuple_size_v<decltype(c.request_peer_factor)>) - 1;
    return c.request_peer_factor[std::min(before + 1, last)] >
           c.request_peer_factor[std::min(before, last)];
}

// The bound from month `from` until the next visit, in spans: none while
// discouraged, then the rate with a recent crisis's factor while it lasts,
// then the rate.
inline clock::Bound bound(const World& w, const UserMonth& um, const CouncilMonth& c,
                          std::int32_t from) {
    const auto& u = w.users;
    if (from < u.discouraged_until[um.i]) return {0.0f, u.discouraged_until[um.i]};
    const float p = rate(w, um.i, um.services, c);
    const std::int32_t crisis_ends = u.last_crisis[um.i] + kRecentCrisisMonths + 1;
    if (from < crisis_ends) return {p * c.recent_crisis_hr, crisis_ends};
    return {p, kNever};
}

inline void step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    const auto& u = m.world.users;
    const std::uint32_t i = um.i;
    if (m.t < u.discouraged_until[i]) return;
    float p = rate(m.world, i, um.services, c);
    if (m.t - u.last_crisis[i] <= kRecentCrisisMonths) p *= c.recent_crisis_hr;
    if (r[0] < p) {
        m.move(i, PathwayState::requested);
        m.tally[u.council[i]][Metric::new_requests] += 1;
    }
}

} // namespace pbsim::request

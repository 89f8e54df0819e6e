// Process 2, awareness: an unaware user hears of personal budgets through
// independent channels, combined as 1 - prod(1 - p_channel): general sources
// and campaigns, the voluntary sector, an advocate, a peer-support group, their
// care coordinator (attitude x knowledge, or the duty to offer) and each peer
// who holds a PB.
#pragma once

#include "model/month.hpp"

#include <algorithm>

namespace pbsim::awareness {

// The monthly probability. Its inputs change only with the user's coordinator,
// peers and services and the council's coefficients, and the engine visits the
// user when any of them changes, so it is also its own bound.
inline float probability(const World& w, std::uint32_t i, unsigned services,
                         const CouncilMonth& c) {
    const auto& u = w.users;
    float p_not = c.aware_not_general * w.coordinators.awareness_not[u.coordinator[i]] *
                  c.aware_not_peers[std::min<int>(u.peers_holding[i], kMaxPeerCount)];
    if (services & kAdvocacy) p_not *= c.aware_not_advocate;
    if (services & kPeerSupport) p_not *= c.aware_not_group;
    return 1.0f - p_not;
}

// Whether one more peer holding a budget (`before` now) raises the probability.
// It never lowers it (awareness.from_peer >= 0), so a falling count needs no
// earlier visit.
inline bool raised_by_peer(const CouncilMonth& c, int before) {
    return c.aware_not_peers[std::min(before + 1, kMaxPeerCount)] <
           c.aware_not_peers[std::min(before, kMaxPeerCount)];
}

// The bound of the probability from month `from` until the user's next visit.
inline clock::Bound bound(const World& w, const UserMonth& um, const CouncilMonth& c) {
    return {probability(w, um.i, um.services, c), kNever};
}

inline void step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    const auto& u = m.world.users;
    const std::uint32_t i = um.i;
    if (r[0] < probability(m.world, i, um.services, c)) {
        m.move(i, PathwayState::aware);
        m.tally[u.council[i]][Metric::became_aware] += 1;
    }
}

} // namespace pbsim::awareness

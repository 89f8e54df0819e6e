// Process 2, awareness: an unaware user hears of personal budgets through
// independent channels, combined as 1 - prod(1 - p_channel): general sources
// and campaigns, the voluntary sector, an advocate, a peer-support group, their
// care coordinator (attitude x knowledge, or the duty to offer) and each peer
// who holds a PB.
#pragma once

#include "model/month.hpp"

#include <algorithm>

namespace pbsim::awareness {

inline void step(MonthContext& m, std::uint32_t i, const CouncilMonth& c) {
    const auto& u = m.world.users;
    float p_not = c.aware_not_general * m.world.coordinators.awareness_not[u.coordinator[i]] *
                  c.aware_not_peers[std::min<int>(u.peers_holding[i], kMaxPeerCount)];
    if (u.reach_advocacy[i] < c.cover_advocacy) p_not *= c.aware_not_advocate;
    if (u.reach_peer_support[i] < c.cover_peer_support) p_not *= c.aware_not_group;
    if (m.rng.uniform(Purpose::awareness, i, m.key) < 1.0f - p_not) {
        m.move(i, PathwayState::aware);
        m.tally[u.council[i]][Metric::became_aware] += 1;
    }
}

} // namespace pbsim::awareness

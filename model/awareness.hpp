// Process 2, awareness: an unaware user hears of personal budgets through
// independent channels, combined as 1 - prod(1 - p_channel): general sources
// and campaigns, the voluntary sector, an advocate, a peer-support group, their
// care coordinator (attitude x knowledge, or the duty to offer) and each peer
// who holds a PB.
#pragma once

#include "model/month.hpp"

#include <algorithm>

namespace pbsim::awareness {

inline void step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    const auto& u = m.world.users;
    const std::uint32_t i = um.i;
    float p_not = c.aware_not_general * m.world.coordinators.awareness_not[u.coordinator[i]] *
                  c.aware_not_peers[std::min<int>(u.peers_holding[i], kMaxPeerCount)];
    if (um.services & kAdvocacy) p_not *= c.aware_not_advocate;
    if (um.services & kPeerSupport) p_not *= c.aware_not_group;
    if (r[0] < 1.0f - p_not) {
        m.move(i, PathwayState::aware);
        m.tally[u.council[i]][Metric::became_aware] += 1;
    }
}

} // namespace pbsim::awareness

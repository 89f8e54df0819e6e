// What every monthly process sees: the world, the keyed random numbers, this
// month's council coefficients and the tallies it adds its events to.
#pragma once

#include "model/clock.hpp"
#include "model/council_month.hpp"
#include "model/metrics.hpp"
#include "model/rng.hpp"
#include "model/world.hpp"

#include <array>
#include <vector>

namespace pbsim {

struct CouncilTally {
    std::array<double, kMetricCount> metric{};
    double ascot_sum = 0; // for the mean care-related quality of life

    double& operator[](Metric m) { return metric[index(m)]; }
};

struct MonthContext {
    World& world;
    const Rng& rng;
    const std::vector<CouncilMonth>& coefficients; // by council
    std::vector<CouncilTally>& tally;              // by council
    std::int32_t t;                                // simulation month (0 = scenario start)
    std::uint32_t key;                             // calendar month index, keys the month's draws
    int days;                                      // days in this calendar month
    std::vector<std::uint32_t>& holding_changed;   // slots that started or stopped holding

    // Moves user i to a new pathway state this month.
    void move(std::uint32_t i, PathwayState to) {
        auto& u = world.users;
        if (is_holding(u.state[i]) != is_holding(to)) {
            holding_changed.push_back(i);
            if (!is_holding(to)) { // the budget ended: traditional services return in full
                u.pb_need[i] = u.pb_amount[i] = u.pb_health[i] = u.pb_health_council[i] = 0;
                u.pb_replaced[i] = u.pb_effect_scale[i] = 0;
                u.has_contingency_plan[i] = 0;
            }
        }
        u.state[i] = to;
        u.state_since[i] = t;
    }
};

// What a user's processes share this month, worked out once per user.
struct UserMonth {
    std::uint32_t i;
    unsigned services;        // ServiceBits of the services that reach the user
    bool continuity_lost_now; // their coordinator changed this month
    bool recent_change;       // ...or within the continuity window
    std::int32_t lost_at;     // the month they last lost continuity (continuity_lost_at)
};

// The purpose of the pathway draw of a user in each state.
inline Purpose pathway_purpose(PathwayState s) {
    switch (s) {
    case PathwayState::unaware:
        return Purpose::awareness;
    case PathwayState::aware:
    case PathwayState::handed_back:
        return Purpose::request;
    case PathwayState::requested:
    case PathwayState::in_assessment:
        return Purpose::assessment;
    case PathwayState::support_planning:
        return Purpose::support_planning;
    default:
        return Purpose::holding;
    }
}

// The month the user last lost continuity of care coordinator: their own
// reassignment, or the replacement of their coordinator after they joined the
// post, whichever is later (kLongAgo if never).
inline std::int32_t continuity_lost_at(const World& w, std::uint32_t i) {
    const auto& u = w.users;
    const std::int32_t replaced = w.coordinators.in_post_since[u.coordinator[i]];
    return std::max(u.reassigned_at[i], replaced > u.coordinator_since[i] ? replaced : kLongAgo);
}

// The ServiceBits of the services that reach user i.
inline unsigned services_of(const World& w, std::uint32_t i, const CouncilMonth& c) {
    const auto& u = w.users;
    return (u.reach_dp_support[i] < c.cover_dp_support ? kDpSupport : 0u) |
           (u.reach_advocacy[i] < c.cover_advocacy ? kAdvocacy : 0u) |
           (u.reach_peer_support[i] < c.cover_peer_support ? kPeerSupport : 0u) |
           (u.reach_crisis_prevention[i] < c.cover_crisis_prevention ? kCrisisPrevention : 0u);
}

// The user month of month t, given what does not change with t.
inline UserMonth user_month_at(std::uint32_t i, unsigned services, std::int32_t lost,
                               const CouncilMonth& c, std::int32_t t) {
    return {i, services, lost == t, t - lost < c.continuity_window, lost};
}

inline UserMonth user_month(const World& w, std::uint32_t i, const CouncilMonth& c,
                            std::int32_t t) {
    return user_month_at(i, services_of(w, i, c), continuity_lost_at(w, i), c, t);
}

} // namespace pbsim

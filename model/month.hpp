// What every monthly process sees: the world, the keyed random numbers, this
// month's council coefficients and the tallies it adds its events to.
#pragma once

#include "model/council_month.hpp"
#include "model/metrics.hpp"
#include "model/rng.hpp"
#include "model/world.hpp"

#include <array>
#include <vector>

namespace pbsim {

struct CouncilTally {
    std::array<double, kMetricCount> metric{};
    double ascot_sum = 0;   // for the mean care-related quality of life
    double substituted = 0; // traditional services replaced by PB spend, GBP

    double& operator[](Metric m) { return metric[index(m)]; }
};

struct MonthContext {
    World& world;
    const Rng& rng;
    const std::vector<CouncilMonth>& coefficients; // by council
    std::vector<CouncilTally>& tally;              // by council
    std::int32_t t;           // simulation month (0 = scenario start)
    std::uint32_t key;        // calendar month index, keys the month's draws
    int days;                 // days in this calendar month
    std::vector<std::uint32_t>& holding_changed; // slots that started or stopped holding

    // Moves user i to a new pathway state this month.
    void move(std::uint32_t i, PathwayState to) {
        auto& u = world.users;
        if (is_holding(u.state[i]) != is_holding(to)) holding_changed.push_back(i);
        u.state[i] = to;
        u.state_since[i] = t;
    }
};

// The month the user last lost continuity of care coordinator: their own
// reassignment, or the replacement of their coordinator after they joined the
// post, whichever is later (kLongAgo if never).
inline std::int32_t continuity_lost_at(const World& w, std::uint32_t i) {
    const auto& u = w.users;
    const std::int32_t replaced = w.coordinators.in_post_since[u.coordinator[i]];
    return std::max(u.reassigned_at[i], replaced > u.coordinator_since[i] ? replaced : kLongAgo);
}

} // namespace pbsim

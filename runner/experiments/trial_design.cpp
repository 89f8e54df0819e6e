// Randomisation and recruitment of a virtual cluster trial: the order of
// councils or teams, the allocation to arms (optionally stratified in matched
// pairs), and the participants recruited at the recruitment month.
#include "runner/experiments/trial_design.hpp"

#include "model/population.hpp"
#include "model/simulation.hpp"

#include <algorithm>
#include <numeric>

namespace pbsim::runner {

std::vector<int> council_order(int councils, std::uint64_t seed, std::uint32_t trial) {
    const Rng rng(seed, trial);
    std::vector<double> key(councils);
    for (int c = 0; c < councils; ++c)
        key[c] = rng.uniform(Purpose::trial_randomisation, static_cast<std::uint32_t>(c), 0);
    std::vector<int> order(councils);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return key[a] < key[b]; });
    return order;
}

namespace {

// Half of `clusters` to each arm: a random half, or matched pairs on value(j)
// (stable order among equal values) with a coin for each pair.
template <class Value>
std::vector<int> allocate(const std::vector<int>& clusters, bool stratified, std::uint64_t seed,
                          std::uint32_t trial, std::uint32_t design, Value value) {
    const Rng rng(seed, trial);
    const std::size_t n = clusters.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::vector<int> arm(n, 0);
    if (!stratified) {
        // A random half: the n/2 clusters with the smallest keyed uniforms.
        std::vector<double> key(n);
        for (std::size_t j = 0; j < n; ++j)
            key[j] = rng.uniform(Purpose::trial_randomisation,
                                 static_cast<std::uint32_t>(clusters[j]), 1, design);
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return key[a] < key[b]; });
        for (std::size_t j = 0; j < n / 2; ++j)
            arm[order[j]] = 1;
        return arm;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return value(a) < value(b); });
    for (std::size_t p = 0; p + 1 < n; p += 2) {
        const bool first = rng.uniform(Purpose::trial_randomisation,
                                       static_cast<std::uint32_t>(p / 2), 2, design) < 0.5;
        arm[order[p]] = first ? 1 : 0;
        arm[order[p + 1]] = first ? 0 : 1;
    }
    return arm;
}

} // namespace

std::vector<int> allocate_arms(const std::vector<int>& clusters,
                               const std::vector<LocalAuthority>& councils, Stratify stratify,
                               std::uint64_t seed, std::uint32_t trial, std::uint32_t design) {
    return allocate(clusters, stratify != Stratify::none, seed, trial, design, [&](std::size_t j) {
        const auto& la = councils[clusters[j]];
        return stratify == Stratify::dp_culture ? la.dp_culture
                                                : static_cast<double>(la.user_count);
    });
}

std::vector<Team> make_teams(const std::vector<LocalAuthority>& councils, int team_size) {
    std::vector<Team> teams;
    const auto size = static_cast<std::uint32_t>(std::max(1, team_size));
    for (std::size_t c = 0; c < councils.size(); ++c) {
        const auto& la = councils[c];
        const std::uint32_t n = std::max<std::uint32_t>(1, la.post_count / size);
        for (std::uint32_t q = 0; q < n; ++q) {
            const std::uint32_t first = la.first_post + q * size;
            const std::uint32_t count = q + 1 < n ? size : la.first_post + la.post_count - first;
            teams.push_back({static_cast<int>(c), first, count});
        }
    }
    return teams;
}

std::vector<int> allocate_team_arms(const std::vector<int>& clusters,
                                    const std::vector<Team>& teams,
                                    const std::vector<LocalAuthority>& councils,
                                    const std::vector<std::uint32_t>& users, Stratify stratify,
                                    std::uint64_t seed, std::uint32_t trial, std::uint32_t design) {
    // By council: pairs within each council, then the odd team out of each
    // council with an odd count paired with the next such (sorted after all).
    std::vector<double> council_key(clusters.size());
    if (stratify == Stratify::council) {
        std::vector<int> count(councils.size(), 0), seen(councils.size(), 0);
        for (const int q : clusters)
            ++count[teams[q].council];
        for (std::size_t j = 0; j < clusters.size(); ++j) {
            const int c = teams[clusters[j]].council;
            const bool odd_one_out = ++seen[c] == count[c] && count[c] % 2 == 1;
            council_key[j] =
                static_cast<double>(c) + (odd_one_out ? static_cast<double>(councils.size()) : 0.0);
        }
    }
    return allocate(clusters, stratify != Stratify::none, seed, trial, design, [&](std::size_t j) {
        const Team& team = teams[clusters[j]];
        switch (stratify) {
        case Stratify::dp_culture:
            return councils[team.council].dp_culture;
        case Stratify::size:
            return static_cast<double>(users[clusters[j]]);
        default:
            return council_key[j];
        }
    });
}

namespace {

// Eligible users (not holding a budget, not already approved for one) among
// those of a council for whom in(i) holds, in a keyed random order; the first n.
template <class In>
std::vector<std::uint32_t> recruit_where(const World& world, int council, int n, std::uint64_t seed,
                                         std::uint32_t trial, In in) {
    const Rng rng(seed, trial);
    const auto& la = world.councils[council];
    const auto& u = world.users;
    std::vector<std::pair<double, std::uint32_t>> eligible;
    for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i)
        if (in(i) && !is_holding(u.state[i]) && u.state[i] != PathwayState::support_planning)
            eligible.push_back({rng.uniform(Purpose::trial_recruitment, i, 0), i});
    std::sort(eligible.begin(), eligible.end());
    std::vector<std::uint32_t> slots;
    for (std::size_t k = 0; k < eligible.size() && static_cast<int>(k) < n; ++k)
        slots.push_back(eligible[k].second);
    return slots;
}

} // namespace

std::vector<std::uint32_t> recruit(const World& world, int council, int n, std::uint64_t seed,
                                   std::uint32_t trial) {
    return recruit_where(world, council, n, seed, trial, [](std::uint32_t) { return true; });
}

std::vector<std::uint32_t> recruit(const World& world, const Team& team, int n, std::uint64_t seed,
                                   std::uint32_t trial) {
    const auto& coordinator = world.users.coordinator;
    return recruit_where(world, team.council, n, seed, trial,
                         [&](std::uint32_t i) { return team.has(coordinator[i]); });
}

std::string too_few_clusters(const TrialSpec& spec, int units, double scale) {
    const int k = spec.clusters_per_arm.back();
    const std::string where =
        spec.clusters_where.empty() ? spec.file.string() : spec.clusters_where;
    if (spec.unit == TrialUnit::council)
        return where + ": clusters_per_arm = " + std::to_string(k) + " needs " +
               std::to_string(2 * k) + " councils but the scenario has " + std::to_string(units) +
               ": accepted at most " + std::to_string(units / 2);
    char scale_text[32];
    std::snprintf(scale_text, sizeof scale_text, "%g", scale);
    return where + ": clusters_per_arm = " + std::to_string(k) + " needs " + std::to_string(2 * k) +
           " teams but there are " + std::to_string(units) +
           " teams of team_size = " + std::to_string(spec.team_size) + " coordinators at scale " +
           scale_text + ": accepted at most " + std::to_string(units / 2) +
           " (or a smaller team_size, or a larger scale)";
}

int count_clusters(const TrialSpec& spec, const Scenario& base, double scale) {
    const Parameters p = base.at(base.start);
    if (spec.unit == TrialUnit::council) return p.population.councils;
    return static_cast<int>(
        make_teams(make_councils(p, simulated_users(base, scale)), spec.team_size).size());
}

} // namespace pbsim::runner

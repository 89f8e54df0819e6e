// Randomisation and recruitment of a virtual cluster trial (docs/trial.md).
#pragma once

#include "model/world.hpp"
#include "model/scenario.hpp"
#include "runner/input/trial_file.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pbsim::runner {

// Councils in the random order of simulated trial `trial`: a design with k
// clusters per arm takes the first 2k. Keyed by (seed, trial, council).
std::vector<int> council_order(int councils, std::uint64_t seed, std::uint32_t trial);

// Allocates `clusters` (an even number of councils) half to each arm. Without
// stratification a random half gets the intervention; stratified, the
// councils are sorted by DP culture or size into matched pairs and one of
// each pair is randomised to the intervention. Returns 1 (intervention) or 0
// per cluster. Keyed by (seed, trial, design).
std::vector<int> allocate_arms(const std::vector<int>& clusters,
                               const std::vector<LocalAuthority>& councils, Stratify stratify,
                               std::uint64_t seed, std::uint32_t trial, std::uint32_t design);

// Participants of council `c` at recruitment: eligible users (not holding a
// budget, not already approved for one) in a random order keyed by (seed,
// trial, slot); the first n (or all, if fewer are eligible).
std::vector<std::uint32_t> recruit(const World& world, int council, int n, std::uint64_t seed,
                                   std::uint32_t trial);

// A team of care coordinators: consecutive posts of one council. A council
// with P posts has max(1, P / team_size) teams of team_size posts, the last
// taking the remainder (so a council smaller than one team is one team).
// Users belong to the team of their coordinator's post at the time.
struct Team {
    int council = 0;
    std::uint32_t first_post = 0, post_count = 0;
    bool has(std::uint32_t post) const { return post - first_post < post_count; }
};
std::vector<Team> make_teams(const std::vector<LocalAuthority>& councils, int team_size);

// Allocates teams half to each arm, as allocate_arms does for councils;
// stratified, matched pairs are formed on the team's council's DP culture,
// on team size (users at recruitment, `users`) or, for Stratify::council,
// within councils: pairs of teams of the same council, then the odd team out
// of each council with an odd count paired with another council's.
std::vector<int> allocate_team_arms(const std::vector<int>& clusters,
                                    const std::vector<Team>& teams,
                                    const std::vector<LocalAuthority>& councils,
                                    const std::vector<std::uint32_t>& users, Stratify stratify,
                                    std::uint64_t seed, std::uint32_t trial, std::uint32_t design);

// Participants of a team at recruitment: eligible users whose coordinator's
// post is in the team, in the keyed order of recruit().
std::vector<std::uint32_t> recruit(const World& world, const Team& team, int n, std::uint64_t seed,
                                   std::uint32_t trial);

// Clusters available to a trial (councils, or teams at `scale`), and the
// message when a design asks for more than there are.
int count_clusters(const TrialSpec& spec, const Scenario& base, double scale);
std::string too_few_clusters(const TrialSpec& spec, int units, double scale);

} // namespace pbsim::runner

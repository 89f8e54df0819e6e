// `pbsim trial`: a virtual cluster randomised trial (docs/trial.md).
//
// Each simulated trial is one replication of the base scenario, run to the
// recruitment month once; then, for each number of clusters per arm, a copy of
// that world is followed up with the intervention applied in the intervention
// councils only (Scenario council overrides), so spillover through peers who
// hold a budget is simulated, not assumed away. Designs therefore share the
// same history and random numbers (common random numbers across designs).
#pragma once

#include "analysis/cluster_trial.hpp"
#include "model/simulation.hpp"
#include "runner/trial_file.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pbsim::runner {

struct TrialOptions {
    std::filesystem::path file;
    std::vector<std::string> settings; // --set on the base scenario (both arms)
    std::uint64_t seed = 1;
    int threads = 0;
    int trials = 0;     // 0: as in the file
    double scale = 0;   // 0: as in the file
    int follow_up = 0;  // months; 0: as in the file
    std::filesystem::path out; // empty: outputs/<trial name>.h5
    bool quiet = false;
    bool markdown = false; // print the power table as Markdown (docs/trial.md)
    std::string command_line;
};

int trial_command(const TrialOptions& options);

// --- the pieces, exposed for tests ------------------------------------------

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

// The analysis of one simulated trial of one design.
struct TrialResult {
    int clusters_per_arm = 0, participants_per_cluster = 0;
    double mean_cluster_size = 0; // participants recruited per cluster (fewer if few eligible)
    analysis::ClusterTest primary;
    analysis::IccEstimate icc;             // of the primary outcome, within arms
    double uptake[2] = {0, 0};             // [control, intervention] share who held a PB
    double cost[2] = {0, 0};               // GBP per participant over follow-up
    std::vector<analysis::ClusterTest> secondary;
    double null_p = NAN; // p-value of the primary with no intervention anywhere (null_check)
};

// Runs simulated trial `trial` of every design (clusters x participants, in
// that order). `on_month` is called after every simulated month; returning
// false abandons the trial (the result is then empty).
std::vector<TrialResult> simulate_trial(const TrialSpec& spec, const Scenario& base,
                                        std::uint64_t seed, std::uint32_t trial, double scale,
                                        const std::function<bool()>& on_month = {});

} // namespace pbsim::runner

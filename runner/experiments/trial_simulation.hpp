// One simulated trial of every design (docs/trial.md): each simulated trial
// is one replication of the base scenario, run to the recruitment month once;
// then, for each number of clusters per arm, a copy of that world is followed
// up with the intervention applied in the intervention clusters only, so
// spillover through peers who hold a budget is simulated, not assumed away.
// Designs therefore share the same history and random numbers.
#pragma once

#include "analysis/cluster_trial.hpp"
#include "model/simulation.hpp"
#include "runner/experiments/trial_design.hpp"
#include "runner/input/trial_file.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace pbsim::runner {

// The analysis of one simulated trial of one design.
struct TrialResult {
    int clusters_per_arm = 0, participants_per_cluster = 0;
    double mean_cluster_size = 0; // participants recruited per cluster (fewer if few eligible)
    analysis::ClusterTest primary;
    analysis::IccEstimate icc; // of the primary outcome, within arms
    double uptake[2] = {0, 0}; // [control, intervention] share who held a PB
    double cost[2] = {0, 0};   // GBP per participant over follow-up
    std::vector<analysis::ClusterTest> secondary;
    double null_p = NAN; // p-value of the primary with no intervention anywhere (null_check)
};

// Runs simulated trial `trial` of every design (clusters x participants, in
// that order). Clusters are councils or teams (spec.unit); throws
// ScenarioError if the world has too few teams for the largest design. `on_month` is called after
// every simulated month; returning false abandons the trial (the result is then empty).
std::vector<TrialResult> simulate_trial(const TrialSpec& spec, const Scenario& base,
                                        std::uint64_t seed, std::uint32_t trial, double scale,
                                        const std::function<bool()>& on_month = {});

// A simulated trial's results as one record of numbers (the executor's
// journal and MPI messages), and back; the sizes follow from the spec.
std::size_t trial_record_size(const TrialSpec& spec);
void encode_trial(const std::vector<TrialResult>& results, std::vector<double>& record);
std::vector<TrialResult> decode_trial(const TrialSpec& spec, const std::vector<double>& record);

} // namespace pbsim::runner

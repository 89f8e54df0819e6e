// The results of many simulated trials, design by design, and the table.
#pragma once

#include "analysis/cluster_trial.hpp"
#include "runner/experiments/trial_simulation.hpp"

#include <string>
#include <vector>

namespace pbsim::runner {

// One design's results over the simulated trials.
struct DesignSummary {
    int clusters_per_arm = 0, participants_per_cluster = 0, trials = 0;
    analysis::Proportion power, type_one_error;
    double effect = 0;                         // geometric mean ratio, or mean difference
    double control = 0, intervention = 0;      // mean arm summaries of the primary
    double icc = 0, icc_low = 0, icc_high = 0; // mean estimate; 2.5% and 97.5% over trials
    double mean_cluster_size = 0, design_effect = 0;
    double uptake[2] = {0, 0}, cost[2] = {0, 0};
    std::vector<double> secondary_effect;
    std::vector<analysis::Proportion> secondary_power;
};

// Design `d` (index into each trial's results) over every simulated trial.
DesignSummary summarise_design(const TrialSpec& spec,
                               const std::vector<std::vector<TrialResult>>& all, std::size_t d);
// "rate ratio" or "difference", by the primary outcome's kind.
std::string effect_label(const TrialSpec& spec);
// The power table on stdout, plain or as Markdown (docs/trial.md).
void print_table(const TrialSpec& spec, const std::vector<DesignSummary>& designs, bool markdown);

} // namespace pbsim::runner

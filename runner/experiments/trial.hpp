// `pbsim trial`: a virtual cluster randomised trial (docs/trial.md).
//
// Each simulated trial is one replication of the base scenario, run to the
// recruitment month once; then, for each number of clusters per arm, a copy of
// that world is followed up with the intervention applied in the intervention
// councils only (Scenario council overrides), so spillover through peers who
// hold a budget is simulated, not assumed away. Designs therefore share the
// same history and random numbers (common random numbers across designs).
#pragma once

#include "runner/experiments/trial_design.hpp"
#include "runner/experiments/trial_simulation.hpp"
#include "runner/experiments/trial_summary.hpp"
#include "runner/input/trial_file.hpp"

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
    int trials = 0;            // 0: as in the file
    double scale = 0;          // 0: as in the file
    int follow_up = 0;         // months; 0: as in the file
    std::filesystem::path out; // empty: outputs/<trial name>.h5
    bool quiet = false;
    bool log_json = false; // progress as JSON lines on stderr
    bool resume = false;   // continue from <out>.journal
    bool dry_run = false;  // print the plan and its estimated size, run nothing
    bool force = false;    // start even if the job does not seem to fit disk or memory
    bool markdown = false; // print the power table as Markdown (docs/trial.md)
    std::string command_line;
};

int trial_command(const TrialOptions& options);

} // namespace pbsim::runner

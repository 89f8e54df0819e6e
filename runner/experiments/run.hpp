// `pbsim run`: replications of one or more scenarios on the executor, written
// to one HDF5 file. Each replication is independent and keyed by its own
// number, so the datasets are bit-identical whatever the thread or rank
// count; finished replications are journalled, so `--resume` completes an
// interrupted run with the same file.
#pragma once

#include "model/scenario.hpp"
#include "model/simulation.hpp"
#include "model/summary.hpp"
#include "runner/exec/clock.hpp"
#include "runner/exec/status.hpp"
#include "runner/exec/stop.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pbsim::runner {

struct RunOptions {
    std::vector<std::filesystem::path> scenario_files; // one or more, paired by replication
    std::vector<std::string> settings;                 // --set key=value[@YYYY-MM]
    int replications = 10;
    std::uint64_t seed = 1;
    int threads = 0; // 0: all cores
    double scale = 1.0;
    std::filesystem::path out; // empty: outputs/<scenario name>.h5 (several: outputs/comparison.h5)
    bool quiet = false;
    bool log_json = false; // progress as JSON lines on stderr
    bool resume = false;   // continue from <out>.journal
    bool dry_run = false;  // print the plan and its estimated size, run nothing
    bool force = false;    // start even if the job does not seem to fit disk or memory
    std::string command_line;
};

int run_command(const RunOptions& options);

} // namespace pbsim::runner

// `pbsim sweep`: every design point x replication of a sweep file as one pool
// of TBB tasks (on one or several MPI processes), journalled run by run so an
// interrupted sweep resumes where it stopped, and written to one HDF5 file.
#pragma once

#include "runner/input/sweep_file.hpp"

#include <filesystem>
#include <string>

namespace pbsim::runner {

struct SweepOptions {
    std::filesystem::path file;
    SweepOverrides overrides;
    int threads = 0;           // per process; 0: all cores
    std::filesystem::path out; // empty: outputs/<sweep file stem>.h5
    bool resume = false;       // continue from <out>.journal if it exists
    bool quiet = false;
    bool log_json = false; // JSON lines on stderr instead of the progress line
    bool dry_run = false;  // print the design and its estimated size, run nothing
    bool force = false;    // start even if the job does not seem to fit disk or memory
    std::string command_line;
};

int sweep_command(const SweepOptions& options);

} // namespace pbsim::runner

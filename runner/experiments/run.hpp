// `pbsim run`: replications of a scenario in parallel (oneTBB), written to one
// HDF5 file. Each replication is independent and keyed by its own number, so
// the datasets are bit-identical whatever the thread count.
#pragma once

#include "model/scenario.hpp"
#include "model/simulation.hpp"
#include "model/summary.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pbsim::runner {

// Exit statuses of the CLI.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // unexpected failure while running
inline constexpr int kExitBadInput = 2;  // bad scenario, option or output path
inline constexpr int kExitInterrupted = 130;

struct RunOptions {
    std::vector<std::filesystem::path> scenario_files; // one or more, paired by replication
    std::vector<std::string> settings; // --set key=value[@YYYY-MM]
    int replications = 10;
    std::uint64_t seed = 1;
    int threads = 0; // 0: all cores
    double scale = 1.0;
    std::filesystem::path out; // empty: outputs/<scenario name>.h5 (several: outputs/comparison.h5)
    bool quiet = false;
    std::string command_line;
};

int run_command(const RunOptions& options);

// Runs replications [0, n) of every scenario as one pool of tasks on `threads`
// threads, calling `done(s, r, result)` as each finishes (from worker
// threads). Replication r of every scenario uses the same random numbers.
// Stops early when `stop()` turns true; returns false if it did.
struct ReplicationRunner {
    const std::vector<Scenario>& scenarios;
    std::uint64_t seed;
    double scale;
    int threads;
    std::function<void(int months_done)> on_progress = {};
    std::function<bool()> stop = [] { return false; };

    bool run(int replications,
             const std::function<void(int, int, ReplicationResult&&)>& done) const;
};

// Now as ISO 8601 UTC ("2026-11-24T06:00:00Z"); a duration as "1m05s" or "2h03m".
std::string utc_now();
std::string duration_text(double seconds);

// Requests a clean stop of running replications (SIGINT/SIGTERM handlers).
void install_stop_handlers();
bool stop_requested();

} // namespace pbsim::runner

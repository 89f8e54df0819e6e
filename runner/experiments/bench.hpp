// `pbsim bench`: agent-months per second for one replication on one thread,
// and replications per minute on all cores (with the scaling between them).
#pragma once

#include <filesystem>

namespace pbsim::runner {

struct BenchOptions {
    std::filesystem::path scenario_file = "scenarios/baseline.toml";
    double scale = 1.0;
    int replications = 0; // 0: two per core
    int threads = 0;      // 0: all cores
    std::uint64_t seed = 1;
};

int bench_command(const BenchOptions& options);

} // namespace pbsim::runner

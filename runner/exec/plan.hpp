// A run plan: the simulations a job runs. Every command that simulates
// whole replications (run, sweep, calibrate, bench, the PSA) builds one:
// scenario variants (scenario files, design points, parameter draws: the
// scenario with its overrides already applied) x replications, all at one
// seed and scale. Run t simulates variant t / R, replication t % R, keyed by
// (seed, replication): replication r of every variant shares its random
// numbers (common random numbers), whatever thread or rank runs it.
#pragma once

#include "model/scenario.hpp"
#include "model/simulation.hpp"
#include "runner/exec/executor.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace pbsim::runner {

struct RunPlan {
    std::vector<Scenario> variants;
    int replications = 1;
    std::uint64_t seed = 1;
    double scale = 1.0;

    std::size_t runs() const { return variants.size() * static_cast<std::size_t>(replications); }
    std::size_t variant(std::size_t run) const {
        return run / static_cast<std::size_t>(replications);
    }
    std::uint32_t replication(std::size_t run) const {
        return static_cast<std::uint32_t>(run % static_cast<std::size_t>(replications));
    }
};

// What a finished simulation contributes to its record (record_size values).
using RecordOf =
    std::function<void(std::size_t run, ReplicationResult& result, std::vector<double>& record)>;

// The job of simulating every run of the plan; each tick is a month.
Job simulation_job(const RunPlan& plan, std::size_t record_size, RecordOf record_of);

} // namespace pbsim::runner

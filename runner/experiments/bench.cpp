#include "runner/experiments/bench.hpp"

#include "model/population.hpp"
#include "model/simulation.hpp"
#include "runner/exec/cluster.hpp"
#include "runner/exec/executor.hpp"
#include "runner/exec/plan.hpp"
#include "runner/experiments/run.hpp"
#include "runner/input/scenario_file.hpp"

#include <oneapi/tbb/info.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sys/resource.h>

namespace pbsim::runner {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Peak resident set of this process so far, bytes (Linux reports KiB).
double peak_resident_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

} // namespace

int bench_command(const BenchOptions& o) {
    LoadedScenario loaded;
    try {
        loaded = load_scenario(o.scenario_file);
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    const Scenario& s = loaded.scenario;
    const int users = simulated_users(s, o.scale);
    const double agent_months = static_cast<double>(users) * s.months();
    const int cores = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
    std::printf("pbsim bench: scenario '%s', %d users x %d months (scale %g), %d cores\n",
                s.name.c_str(), users, s.months(), o.scale, cores);

    // 1. One replication, one thread: world generation and the monthly loop apart.
    const double resident_before = peak_resident_bytes();
    auto t0 = std::chrono::steady_clock::now();
    Simulation sim(s, {o.seed, 0, o.scale});
    const double generation = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    while (!sim.done())
        sim.step();
    const double stepping = seconds_since(t0);
    std::printf("one replication, 1 thread: generate %.3f s, simulate %.3f s\n", generation,
                stepping);
    std::printf("  %.1f M agent-months/s (simulation loop), %.1f ns per agent-month\n",
                agent_months / stepping / 1e6, stepping / agent_months * 1e9);
    std::printf("  %.1f M agent-months/s including world generation\n",
                agent_months / (stepping + generation) / 1e6);
    std::printf("  %.3f visits per agent-month (users the event engine stepped)\n",
                static_cast<double>(sim.visits()) / agent_months);
    // Memory of one replication: the rise of the peak resident set over the
    // process before the world was made, per simulated user.
    const double resident = peak_resident_bytes() - resident_before;
    std::printf("  peak memory of one replication: %.1f MB, %.0f bytes per simulated user\n",
                resident / 1e6, resident / users);

    // 2. Many replications on 1 thread and on all cores.
    const int reps = o.replications > 0 ? o.replications : 2 * cores;
    double per_minute[2] = {0, 0};
    const int thread_counts[2] = {1, cores};
    for (int k = 0; k < 2; ++k) {
        if (k == 1 && cores == 1) break;
        const int n = k == 0 ? std::max(1, reps / cores) : reps;
        const RunPlan plan{{s}, n, o.seed, o.scale};
        const Job job =
            simulation_job(plan, 0, [](std::size_t, ReplicationResult&, std::vector<double>&) {});
        Cluster one_process = Cluster::local();
        Progress quiet({true, false}, "bench", "replications", plan.runs());
        t0 = std::chrono::steady_clock::now();
        Executor(one_process)
            .run(job, {thread_counts[k], {}, false}, quiet,
                 [](std::size_t, std::vector<double>&&) {});
        const double secs = seconds_since(t0);
        per_minute[k] = n / secs * 60;
        std::printf("%d replications on %d thread(s): %.2f s, %.1f replications/minute, "
                    "%.1f M agent-months/s\n",
                    n, thread_counts[k], secs, per_minute[k], n * agent_months / secs / 1e6);
    }
    if (per_minute[1] > 0)
        std::printf("scaling 1 -> %d threads: %.2fx (parallel efficiency %.0f%%)\n", cores,
                    per_minute[1] / per_minute[0], 100 * per_minute[1] / per_minute[0] / cores);
    return kExitOk;
}

} // namespace pbsim::runner

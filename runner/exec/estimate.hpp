// Jobs are sized before they start: memory, disk and core-time estimated from
// the run plan, shown by --dry-run and in the progress start line, and a job
// that does not fit the free disk or memory refused before any work (exit 2)
// unless --force. The figures are deliberately rough upper estimates, from
// measurements of this engine (docs/architecture.md): about 150 bytes of
// state per simulated user per thread, 60 MB for the process, the records in
// flight (the executor's queue is bounded), and about 15 M agent-months per
// second per core.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace pbsim::runner {

struct JobSize {
    double memory_bytes = 0; // peak resident set
    double disk_bytes = 0;   // journal and output file together, at the end
    double core_seconds = 0; // simulation time on one core
    int threads = 1;
    std::string text() const; // "about 1.2 GB of memory, 3.4 GB of disk, 2m30s on 2 cores"
};

struct JobShape {
    std::size_t runs = 0;    // simulations (replications, points x replications, trials)
    double agent_months = 0; // per run: simulated users x months simulated
    long users = 0;          // simulated users of one world
    int worlds_per_run = 1;  // worlds alive at once in a run (a trial: history + arms)
    int threads = 1;
    std::size_t record_values = 0; // doubles per journal record (0: no journal)
    std::size_t kept_values = 0;   // doubles per run held in memory until the end
    double output_bytes_per_run = 0;
    double fixed_bytes = 0; // held once for the whole job (a sweep's scenarios)
};

JobSize estimate(const JobShape& shape);

// Bytes as "512 kB", "3.4 MB", "1.2 GB".
std::string bytes_text(double bytes);

// Thrown by check_fits: one line naming what does not fit, what is free, and
// what to change (including --force).
struct JobTooLarge : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Free bytes on the file system of `dir` and available memory (MemAvailable);
// negative if unknown.
double free_disk_bytes(const std::filesystem::path& dir);
double available_memory_bytes();
// Throws JobTooLarge unless the job fits (with a 10% margin) the free disk
// where `out` goes and the available memory.
void check_fits(const JobSize& size, const std::filesystem::path& out);

} // namespace pbsim::runner

// The one executor of every command that runs simulations (run, sweep,
// trial, calibrate, bench, and the PSA to come). A command describes its
// work as a Job: N independent tasks, each computing one record of numbers
// from its task index alone. The executor
//   - runs the tasks on one oneTBB pool (--threads), on every MPI rank of the
//     job (rank r takes every size-th task left to do; records travel to
//     rank 0), so the records do not depend on threads or ranks;
//   - journals each finished record (exec/journal.hpp) when given a journal,
//     and with --resume hands back what a killed or interrupted job already
//     did instead of recomputing it;
//   - stops cleanly on Ctrl-C or SIGTERM (exec/stop.hpp), keeping the journal;
//   - reports progress through the one Progress reporter.
// On rank 0, each record reaches the command's sink on the calling thread,
// journalled ones first; the command turns records into its output file.
#pragma once

#include "runner/exec/cluster.hpp"
#include "runner/exec/journal.hpp"
#include "runner/exec/progress.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pbsim::runner {

struct Job {
    std::size_t tasks = 0;
    std::size_t record_size = 0;   // values per record
    std::uint64_t fingerprint = 0; // everything that determines the records (checked on resume)
    int ticks_per_task = 1;        // calls of tick() a task makes (its months), for progress
    // Computes task `task` into `record` (record_size values). Runs on TBB
    // workers, concurrently, so it must only read shared state. `tick()` after
    // each unit of work returns false when the job is stopping: return then
    // (the record is discarded).
    std::function<void(std::size_t task, std::vector<double>& record,
                       const std::function<bool()>& tick)>
        compute;
};

struct ExecOptions {
    int threads = 0;                 // 0: all cores
    std::filesystem::path journal;   // empty: no journal (the job cannot be resumed)
    bool resume = false;             // continue from the journal if there is one
    std::function<bool()> stop = {}; // another reason to stop, beside Ctrl-C and SIGTERM
};

struct ExecOutcome {
    enum class Status { complete, interrupted, bad_input, failed };
    Status status = Status::complete;
    std::string message;      // one line (bad_input, failed), on rank 0
    std::size_t resumed = 0;  // records read back from the journal
    std::size_t computed = 0; // records computed by this job, on every rank
    bool ok() const { return status == Status::complete; }
    int exit_code() const; // 0, 130, 2 or 1
};

using RecordSink = std::function<void(std::size_t task, std::vector<double>&& record)>;

class Executor {
  public:
    explicit Executor(Cluster& cluster) : cluster_(cluster) {}
    ~Executor();

    // Runs the job. The sink (rank 0 only) may throw (an output error): the
    // job then stops and the outcome is `failed` with its message. Exceptions
    // from compute() are caught the same way.
    ExecOutcome run(const Job& job, const ExecOptions& options, Progress& progress,
                    const RecordSink& sink);

    // After the output is complete: delete the journal (rank 0).
    void discard_journal();
    // The journal of the last run(), if any ("" if none).
    std::filesystem::path journal_path() const;

  private:
    Cluster& cluster_;
    std::unique_ptr<Journal> journal_;
};

} // namespace pbsim::runner

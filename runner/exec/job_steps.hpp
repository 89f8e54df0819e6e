// The steps every command that runs a job takes around the executor, in one
// place: sizing before any work, the estimate in the start event, clearing
// temporaries of dead processes, and the message and exit status of a job that
// did not complete.
#pragma once

#include "runner/exec/estimate.hpp"
#include "runner/exec/executor.hpp"
#include "runner/exec/progress.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace pbsim::runner {

// kExitOk if the job fits the free disk and memory where `out` goes (or
// `force`); otherwise one message and kExitBadInput, before any work.
int refuse_if_too_large(const JobSize& size, const std::filesystem::path& out, bool force);

// The estimate as fields of the progress start event.
nlohmann::ordered_json estimate_fields(const JobSize& size);

// Before writing `out` (rank 0): removes OUT.partial-PID files of processes
// that no longer run, saying so unless `quiet`.
void clear_stale_temporaries(const std::filesystem::path& out, bool quiet);

// A job that did not complete (interrupted, failed, refused): ends the
// progress, prints one message naming what is kept and how to continue, and
// returns the exit status. `unit` names the tasks ("replications").
int report_unfinished(const ExecOutcome& outcome, Progress& progress, const Executor& executor,
                      std::size_t total, const std::string& unit, const std::filesystem::path& out);

// The output could not be written after every task was done: the records
// are kept in the journal; one message, kExitFailure.
int report_write_failure(const std::string& reason, Progress& progress, const Executor& executor,
                         const std::string& unit);

} // namespace pbsim::runner

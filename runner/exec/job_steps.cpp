#include "runner/exec/job_steps.hpp"

#include "runner/exec/status.hpp"
#include "runner/output/stale.hpp"

#include <iostream>

namespace pbsim::runner {

int refuse_if_too_large(const JobSize& size, const std::filesystem::path& out, bool force) {
    if (force) return kExitOk;
    try {
        check_fits(size, out);
    } catch (const JobTooLarge& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    return kExitOk;
}

nlohmann::ordered_json estimate_fields(const JobSize& size) {
    return {{"memory_bytes", size.memory_bytes},
            {"disk_bytes", size.disk_bytes},
            {"core_seconds", size.core_seconds}};
}

void clear_stale_temporaries(const std::filesystem::path& out, bool quiet) {
    for (const auto& stale : remove_stale_temporaries(out))
        if (!quiet)
            std::cerr << "pbsim: removed " << stale.string()
                      << ", left by a pbsim process that no longer runs\n";
}

int report_unfinished(const ExecOutcome& outcome, Progress& progress, const Executor& executor,
                      std::size_t total, const std::string& unit,
                      const std::filesystem::path& out) {
    using Status = ExecOutcome::Status;
    const std::string journal = executor.journal_path().string();
    switch (outcome.status) {
    case Status::complete:
        return kExitOk;
    case Status::interrupted:
        progress.finish("interrupted");
        std::cerr << "pbsim: interrupted: " << progress.completed() << " of " << total << " "
                  << unit
                  << (journal.empty() ? std::string(" done; nothing is kept")
                                      : " are saved in " + journal +
                                            "; continue with the same command and --resume")
                  << " (" << out.string() << " left as it was)\n";
        break;
    case Status::bad_input:
        progress.finish("failed");
        std::cerr << "pbsim: " << outcome.message << "\n";
        break;
    case Status::failed:
        progress.finish("failed");
        std::cerr << "pbsim: " << progress.command() << " failed: " << outcome.message
                  << (journal.empty() ? std::string()
                                      : "; finished " + unit + " are kept in " + journal +
                                            ": fix the problem and rerun with --resume")
                  << "\n";
        break;
    }
    return outcome.exit_code();
}

int report_write_failure(const std::string& reason, Progress& progress, const Executor& executor,
                         const std::string& unit) {
    progress.finish("failed");
    std::cerr << "pbsim: " << reason << "; the " << unit << " are kept in "
              << executor.journal_path().string() << ": fix the problem and rerun with --resume\n";
    return kExitFailure;
}

} // namespace pbsim::runner

// The HDF5 output of `pbsim trial` (layout: runner/output/layout.hpp,
// documented in docs/hdf5-schema.md). Written under a temporary name
// (FINAL.partial-PID) and renamed by commit(), so an interrupted run never
// leaves a file that looks complete. Used from one thread, after the
// simulated trials have run.
#pragma once

#include "runner/output/output_file.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pbsim::runner {

struct TrialProvenance {
    std::string pbsim_version, source_revision;
    std::string trial_file, trial_text, trial_resolved, scenario_toml;
    std::uint64_t seed = 0;
    int trials = 0;
    double scale = 1;
    std::string created_utc, command_line;
};

class TrialOutput {
  public:
    // Creates the temporary file (the path checked first); throws OutputError.
    TrialOutput(std::filesystem::path final_path, const TrialProvenance& provenance);
    ~TrialOutput(); // without commit(): removes the temporary file
    TrialOutput(const TrialOutput&) = delete;
    TrialOutput& operator=(const TrialOutput&) = delete;

    // /designs/<name>: one value per design; /trials/<name>: [design][trial],
    // row-major. Names, units and descriptions are those declared in
    // layout::trial_designs / trial_trials (secondary_<outcome>_effect and
    // _power for each secondary outcome). Throws OutputError for a name not
    // declared or a size that does not match.
    void design(const std::string& name, const std::vector<double>& values);
    void trial(const std::string& name, const std::vector<double>& values);

    // Writes both groups (every declared variable must have been given),
    // then flushes, closes and renames; throws OutputError.
    void commit();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pbsim::runner

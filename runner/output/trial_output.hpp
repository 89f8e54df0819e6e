// The HDF5 output of `pbsim trial` (layout: docs/trial.md). Written under a
// temporary name (FINAL.partial-PID) and renamed by commit(), so an
// interrupted run never leaves a file that looks complete. Used from one
// thread, after the simulated trials have run.
#pragma once

#include "runner/output/run_output.hpp"

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
    // Creates the temporary file and writes the provenance; throws OutputError.
    TrialOutput(std::filesystem::path final_path, const TrialProvenance& provenance);
    ~TrialOutput(); // without commit(): removes the temporary file
    TrialOutput(const TrialOutput&) = delete;
    TrialOutput& operator=(const TrialOutput&) = delete;

    // /<group>/<name>: doubles of shape `dims` (row-major), with units and a description.
    void write(const std::string& group, const std::string& name, const std::vector<double>& values,
               const std::vector<std::size_t>& dims, const std::string& units,
               const std::string& description);
    void commit();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pbsim::runner

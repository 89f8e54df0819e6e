// The HDF5 output file of a run (schema: docs/hdf5-schema.md).
//
// The file is written under a temporary name (FINAL.partial-PID) and renamed
// to its final name only by commit(): an interrupted or failed run never
// leaves a file that looks complete.
#pragma once

#include "model/simulation.hpp"
#include "model/summary.hpp"
#include "model/world.hpp"
#include "runner/output/output_file.hpp"

#include <cstdint>
#include <filesystem>
#include "model/parameters.hpp"

#include <memory>
#include <string>
#include <vector>

namespace pbsim::runner {

// One scenario of a run.
struct ScenarioInfo {
    std::string name; // a valid HDF5 group name: no '/', not "." or ".."
    std::string file;
    std::string toml; // fully resolved scenario, itself a valid scenario file
    // Parameters at the evaluation window's start, for the /payers table
    // (who pays each cost category); defaults when unset.
    Parameters at_evaluation_start = default_parameters();
};

// Root attributes of a run file (layout: runner/output/layout.hpp, documented
// in docs/hdf5-schema.md). With one scenario its time series and summary sit
// at the root; with several, each has a group /scenarios/<name>/ holding the
// same groups, all paired by replication (common random numbers).
struct Provenance {
    std::string pbsim_version;
    std::string source_revision;
    std::vector<ScenarioInfo> scenarios;
    std::uint64_t seed = 0;
    int replications = 0;
    std::string start_month; // YYYY-MM
    int months = 0;
    double scale = 1.0;
    double to_national = 1.0; // national users / simulated users: raw counts x this = national
    std::string created_utc;  // ISO 8601
    std::string command_line;
};

struct OutputLayout {
    std::vector<LocalAuthority> councils;
    std::vector<std::string> month_labels;     // YYYY-MM, one per month
    std::vector<SummaryValue> summary_columns; // names, units, descriptions (values ignored)
};

class H5Output {
  public:
    // Creates the temporary file with every dataset; throws OutputError.
    H5Output(std::filesystem::path final_path, const Provenance& provenance,
             const OutputLayout& layout);
    ~H5Output(); // without commit(): closes and removes the temporary file
    H5Output(const H5Output&) = delete;
    H5Output& operator=(const H5Output&) = delete;

    // Writes replication r of scenario s (index into Provenance::scenarios):
    // its time series and summary row. Thread-safe.
    void write_replication(int s, int r, const ReplicationResult& result,
                           const std::vector<SummaryValue>& summary);
    void write_replication(int r, const ReplicationResult& result,
                           const std::vector<SummaryValue>& summary) {
        write_replication(0, r, result, summary);
    }
    // Closes the file and renames it to its final name; throws OutputError.
    void commit();

    const std::filesystem::path& temporary_path() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pbsim::runner

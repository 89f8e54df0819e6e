// The HDF5 file of a sweep (layout: runner/output/layout.hpp, documented in
// docs/hdf5-schema.md), written in one go by one process once every run is
// in, under a temporary name renamed on success.
#pragma once

#include "analysis/design.hpp"
#include "model/summary.hpp"
#include "runner/output/output_file.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pbsim::runner {

struct SweepProvenance {
    std::string pbsim_version, source_revision;
    std::string sweep_file, sweep_toml;                 // as given, and its text
    std::string base_scenario_file, base_scenario_toml; // resolved, with --set applied
    std::string design;
    int design_size = 0; // the file's `points`: levels, points, base sample or trajectories
    int levels = 0;      // morris only
    std::uint64_t seed = 0;
    int replications = 0;
    double scale = 1.0;
    std::string start_month;
    int months = 0;
    std::string created_utc, command_line;
    int mpi_ranks = 1;
};

struct SweepFactorInfo {
    std::string key, unit;
    double low = 0, high = 0;
    std::vector<double> values; // a list factor's values
    std::string from;           // YYYY-MM or ""
};

struct SweepResults {
    std::vector<SweepFactorInfo> factors;
    analysis::Matrix unit, values;     // [point, factor]
    std::vector<SummaryValue> columns; // names, units, descriptions
    std::vector<double> summary;       // [column][point][replication]
    std::vector<std::string> month_labels;
    bool timeseries = false;
    std::vector<double> series; // [metric][point][replication][month], national
};

// Writes the file; throws OutputError naming it.
void write_sweep_file(const std::filesystem::path& out, const SweepProvenance& prov,
                      const SweepResults& results);

} // namespace pbsim::runner

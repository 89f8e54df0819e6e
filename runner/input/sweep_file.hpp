// Sweep files (TOML): a base scenario, the parameters to vary and a design.
// Reference: docs/sweeps.md.
//
//   description = "Which barrier matters most for 2014 uptake?"
//   base = "../baseline.toml"     # scenario file, relative to this file
//   design = "sobol"              # grid | lhs | sobol | morris
//   points = 32                   # see Sweep::points
//   replications = 2              # per design point, paired across points
//   seed = 1
//   scale = 0.05
//   outputs = ["summary"]         # add "timeseries" for national monthly series
//   [parameters]
//   "awareness.from_peer" = { min = 0.002, max = 0.03 }
//   "policy.application_complexity" = { min = 0.5, max = 1.5, from = "2008-01" }
//   "coordinator.caseload" = [20, 30, 40]          # a list of values
#pragma once

#include "analysis/design.hpp"
#include "model/scenario.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pbsim::runner {

// One varied parameter: its design factor plus when the value applies.
struct SweepFactor {
    analysis::Factor factor;   // key, range or list
    std::optional<Month> from; // empty: the value holds for the whole run
    std::string unit;
};

struct Sweep {
    std::filesystem::path file;
    std::string text; // the sweep file as read
    std::string description;
    std::filesystem::path base_file;
    Scenario base; // resolved, with --set applied
    analysis::DesignKind design = analysis::DesignKind::lhs;
    // grid: levels of every range (lists use their own length); lhs: points;
    // sobol: base sample N (N x (k + 2) design points); morris: trajectories.
    int points = 16;
    int levels = 4; // morris grid levels (even)
    int replications = 1;
    std::uint64_t seed = 1;
    double scale = 1.0;
    bool timeseries = false;
    std::vector<SweepFactor> factors;
};

// Command-line overrides of the file.
struct SweepOverrides {
    std::optional<int> points, replications;
    std::optional<std::uint64_t> seed;
    std::optional<double> scale;
    std::vector<std::string> settings; // --set key=value[@YYYY-MM], applied to the base scenario
};

// Loads and validates a sweep file (keys, ranges against the parameter
// registry, design sizes, every design point's scenario); throws
// ScenarioError with one line naming the file, key and accepted range.
Sweep load_sweep(const std::filesystem::path& file, const SweepOverrides& overrides = {});
Sweep parse_sweep(const std::string& text, const std::filesystem::path& file,
                  const SweepOverrides& overrides = {});

// The design in unit coordinates, one row per design point.
analysis::Matrix unit_design(const Sweep& sweep);
// Parameter values of a design point (one per factor).
std::vector<double> point_values(const Sweep& sweep, const analysis::Matrix& unit,
                                 std::size_t point);
// The base scenario with a design point's values applied (validated).
Scenario point_scenario(const Sweep& sweep, const std::vector<double>& values);

} // namespace pbsim::runner

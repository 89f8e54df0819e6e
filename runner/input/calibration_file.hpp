// The calibration file of `pbsim calibrate` (docs/calibration.md).
//
// Calibration file (TOML), paths relative to it:
//   description = "..."
//   scenario = "../baseline.toml"        # the scenario to calibrate
//   targets = "targets.csv"              # target,period,value,unit,tolerance,kind,source
//   end = "2012-12"                      # optional: simulate only to the last target
//   method = "abc-smc"                   # or "rejection"
//   seed = 1, scale = 0.25, replications = 4
//   particles = 100, generations = 6, quantile = 0.5, min_acceptance = 0.02, batch = 0
//   [parameters]                         # free parameters: uniform prior [low, high]
//   "request.base_rate" = [0.004, 0.03]
//   "policy.active_offer@2013-04" = [0.5, 1.0]   # one dated point of a timeline
//   [[target]]                           # which summary column a target row is
//   name = "mh_dp_users_england"
//   period = "2001"
//   output = "dp_holders_2001_12"
#pragma once

#include "analysis/abc.hpp"
#include "analysis/targets.hpp"
#include "model/scenario.hpp"
#include "runner/input/scenario_file.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pbsim::runner {

struct CalibrationSpec {
    std::string name; // the calibration file's stem
    std::filesystem::path file, scenario_file, targets_file;
    std::string text; // the calibration file as read
    std::string description;
    Scenario scenario;                       // resolved, with `end` applied
    std::vector<analysis::Target> targets;   // the rows named by [[target]], in that order
    std::vector<std::string> outputs;        // summary column of each target
    std::vector<std::size_t> output_columns; // their positions in summarise()'s columns
    analysis::UniformPrior prior;
    std::vector<ParameterRef> free; // what each prior dimension sets
    analysis::AbcSettings abc;
    double scale = 0.25;
    int replications = 4;
    std::uint64_t seed = 1; // simulations use it; the sampler a key derived from it
};

// Throws ScenarioError (one line: file:line, key, value, what is accepted).
CalibrationSpec load_calibration(const std::filesystem::path& file);

} // namespace pbsim::runner

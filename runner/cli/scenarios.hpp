// Scenario files as the command line sees them: `pbsim scenarios [DIR]` (the
// scenarios of a folder with their name, what they extend and their
// description) and the rule for "runs on uncalibrated defaults".
#pragma once

#include "model/scenario.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace pbsim::runner::cli {

// The rule: a scenario runs on uncalibrated defaults when a parameter fitted
// by `pbsim calibrate` (its registry source starts "calibrated", marked in
// docs/parameters.md) keeps its registry default for the whole run. The
// registry default of such a parameter is only the calibration's starting
// value; the fitted value is in scenarios/baseline.toml. So a scenario that is
// the baseline, or extends a chain of files leading to it, or sets those
// values itself (or through --set), is calibrated; one that extends nothing
// and sets none of them is not. Returns those parameters' keys.
std::vector<std::string> uncalibrated_parameters(const Scenario& s);

// One line for stderr if `s` (loaded from `file`) runs on uncalibrated
// defaults, else "".
std::string uncalibrated_warning(const Scenario& s, const std::filesystem::path& file);

// `pbsim scenarios DIR`: prints the table; returns the exit status (2, with
// one line on stderr, for a missing folder or one that is not a folder).
int scenarios_command(const std::filesystem::path& dir);

} // namespace pbsim::runner::cli

// Scenario files (TOML): loading with `extends` inheritance, validation against
// the parameter registry, and the fully resolved text written into outputs.
//
//   name = "dp_support_everywhere"       # optional, defaults to the file stem
//   description = "..."                  # optional
//   extends = "baseline.toml"            # optional, relative to this file
//   start = "2001-01"                    # first simulated month
//   end = "2020-12"                      # last simulated month
//   evaluation_start = "2015-04"         # optional: first month of the eval_* summary window
//   councils_converge = "2015-04"        # optional: councils on the national dates from then
//                                        # (see council.adoption_spread)
//   [dp_support_service]
//   coverage = 0.15                      # a constant, or
//   coverage = { "2015-04" = 1.0 }       # values from dates on (earlier: inherited)
//   coverage = { "2009-04" = 0.03, "2015-04" = { ramp = 1.0 } }
//                                        # a ramp: linear, month by month, from the point
//                                        # before (here 0.03 in 2009-04) to 1.0 in 2015-04
#pragma once

#include "model/scenario.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pbsim::runner {

// Bad scenario input. what() is one line naming the file, the key, the value
// and what is accepted; the CLI prints it and exits with status 2.
struct ScenarioError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct LoadedScenario {
    Scenario scenario;
    std::filesystem::path file;
};

LoadedScenario load_scenario(const std::filesystem::path& file);

// Parses TOML text as if read from `file` (which resolves `extends`).
LoadedScenario parse_scenario(std::string_view text, const std::filesystem::path& file);

// Applies "key=value" or "key=value@YYYY-MM" (from that month on) from the
// command line; `origin` names the source in errors (e.g. "--set"). Several
// settings are applied together and then validated, so their order does not
// matter; on error the scenario is unchanged.
void apply_settings(Scenario& s, const std::vector<std::string>& assignments,
                    std::string_view origin);
void apply_setting(Scenario& s, std::string_view assignment, std::string_view origin);
// One setting, range-checked but without the cross-parameter rules.
void apply_setting_unchecked(Scenario& s, std::string_view assignment, std::string_view origin);

// Checks every value against the registry and the cross-parameter rules;
// throws ScenarioError naming `origin`.
void validate(const Scenario& s, std::string_view origin);

// The range check of one value for other input files that name parameters
// (trial files), throwing ScenarioError "<where>: key = v is out of range: ...".
void check_parameter_value(const ParameterSpec& spec, double value, const std::string& where);

// A value a calibration (or another experiment) may set: a parameter's
// constant ("request.base_rate") or one dated point of its timeline
// ("policy.active_offer@2013-04": the point's value, a step or the end of a
// ramp as it was).
struct ParameterRef {
    std::string name; // as written
    int id = -1;      // index into parameter_registry()
    std::optional<Month> point;
};
// Resolves `name` against scenario `s` (the point must be one of its
// timeline's); throws ScenarioError "<where>: ..." naming what is accepted.
ParameterRef parameter_ref(const Scenario& s, const std::string& name, const std::string& where);
// Sets the value of `ref` in `s` (unchecked: validate afterwards).
void set_parameter(Scenario& s, const ParameterRef& ref, double value);

// The resolved scenario as TOML: every parameter, with its timeline from the
// start month on. Loading this text gives back the same scenario.
std::string to_toml(const Scenario& s, std::string_view header_comment = {});

} // namespace pbsim::runner

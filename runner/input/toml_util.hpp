// Helpers shared by the TOML input files (scenarios, calibrations): where a
// value was set, how it looked, the accepted range of a parameter, and "did you
// mean" suggestions, so every bad input gets the same kind of one-line message.
#pragma once

#include "model/parameters.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pbsim::runner {

// Shortest exact text; whole numbers without an exponent (10000000, not 1e+07).
std::string format_number(double v);
// "[min, max], unit U" (and "(whole number)") of a parameter.
std::string range_text(const ParameterSpec& spec);
// " (did you mean 'key'?)" for a near miss of a registry key, else "".
std::string suggestion(std::string_view key);
// A TOML integer or float as a double; nullopt for anything else.
std::optional<double> as_number(const toml::node& n);
// "file:line" of a node.
std::string where(const std::filesystem::path& file, const toml::node& node);
// The offending value as it appeared, for messages: "\"x\" (a string)", "a table".
std::string value_text(const toml::node& n);
// Parses TOML text read from `file`; a syntax error throws ScenarioError
// "file:line: TOML syntax error: ...".
toml::table parse_toml(std::string_view text, const std::filesystem::path& file);
// The whole text of a file; throws ScenarioError naming it as `what` if it cannot be read.
std::string read_text_file(const std::filesystem::path& file, std::string_view what);

} // namespace pbsim::runner

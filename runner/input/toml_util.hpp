// Helpers shared by the TOML input files (scenarios, calibrations): where a
// value was set, how it looked, the accepted range of a parameter, and "did you
// mean" suggestions, so every bad input gets the same kind of one-line message.
#pragma once

#include "model/parameters.hpp"

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pbsim::runner {

// Limits of input files (docs/reliability.md), checked before a file is read
// or parsed so that no input can exhaust memory or the stack, or hang a read.
inline constexpr std::uintmax_t kMaxTomlBytes = std::uintmax_t{4} << 20; // 4 MiB per TOML file
inline constexpr std::uintmax_t kMaxCsvBytes = std::uintmax_t{16} << 20; // 16 MiB per targets CSV
inline constexpr std::size_t kMaxKeyParts = 16;   // parts of a dotted key or [table.header]
inline constexpr std::size_t kMaxKeyLength = 256; // characters of one key as written
// How many characters of an echoed key or value a message shows (paths: more).
inline constexpr std::size_t kShownChars = 60, kShownPathChars = 1000;

// Shortest exact text; whole numbers without an exponent (10000000, not 1e+07).
std::string format_number(double v);
// "[min, max], unit U" (and "(whole number)") of a parameter.
std::string range_text(const ParameterSpec& spec);
// Edit distance of the first `cap` characters of a and b (so a huge argument
// costs no more than a short one): Levenshtein, or with `transpositions` the
// optimal string alignment, where swapping neighbours is one edit.
std::size_t edit_distance(std::string_view a, std::string_view b,
                          std::size_t cap = std::string_view::npos, bool transpositions = false);
// " (did you mean 'key'?)" for a near miss (at most 3 edits) of a registry key,
// else "". Cheap for any key: keys whose length alone rules out a near miss
// are not compared.
std::string suggestion(std::string_view key);
// Text echoed in a message: control characters escaped (so the message stays
// one line) and anything longer than keep + 20 characters cut to its first
// `keep` characters + "... (N characters)".
std::string shorten(std::string_view text, std::size_t keep = kShownChars);
// A TOML integer or float as a double; nullopt for anything else.
std::optional<double> as_number(const toml::node& n);
// "file:line" of a node.
std::string where(const std::filesystem::path& file, const toml::node& node);
// The offending value as it appeared, for messages: "\"x\" (a string)", "a table".
std::string value_text(const toml::node& n);
// Parses TOML text read from `file`; a syntax error throws ScenarioError
// "file:line: TOML syntax error: ...". Before parsing, the text is checked
// against kMaxTomlBytes and every key (dotted keys, [table] headers, keys of
// inline tables) against kMaxKeyParts and kMaxKeyLength, so a hostile file
// cannot exhaust the parser's stack.
toml::table parse_toml(std::string_view text, const std::filesystem::path& file);
// The whole text of a regular file of at most `max_bytes` bytes; anything else
// (missing, a directory, a FIFO, a device, too large) throws ScenarioError
// naming the file as a `what`. A FIFO or device is never read from, so the
// call cannot hang or read forever.
std::string read_text_file(const std::filesystem::path& file, std::string_view what,
                           std::uintmax_t max_bytes = kMaxTomlBytes);
// A file named by the string `value` of `key` in `file` (extends, base,
// scenario, targets), relative to the directory of `file`: an existing regular
// file of at most `max_bytes` bytes, or ScenarioError naming the referring file,
// line and key: "x.toml:3: extends = \"\": empty path; give a scenario file
// relative to x.toml".
std::filesystem::path linked_file(const std::filesystem::path& file, const toml::node& node,
                                  std::string_view key, std::string_view value,
                                  std::string_view what, std::uintmax_t max_bytes = kMaxTomlBytes);

} // namespace pbsim::runner

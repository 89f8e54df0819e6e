// Options shared by pbsim's commands: one definition of each flag's names,
// help text and accepted range, so `--seed` or `--scale` means the same thing
// and is rejected with the same message in every command. A value out of range
// fails parsing with "<flag>: accepted <range>, got '<value>'" (exit status 2).
//
//   --seed               whole number, 0 to 18446744073709551615 (2^64-1)
//   --scale              finite number in (0, 10]
//   -t, --threads        whole number, 0 to 4096 (0 = all cores)
//   -r, --replications   whole number, 1 to 100000 (or a command's own bounds)
//   -o, --out            a path
//   --set                key=value or key=value@YYYY-MM (repeatable)
//   -q, --quiet, --log-json, --resume, --dry-run, --force   flags
#pragma once

#include "runner/input/toml_util.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbsim::runner::cli {

inline constexpr int kMaxThreads = 4096;
inline constexpr double kMaxScale = 10.0;

// Validators that check the text before CLI11 converts it, so nothing is
// silently clamped or rounded: a whole number in [lo, hi] (decimal digits,
// '-' only if lo < 0), and a finite number in (lo, hi] or [lo, hi].
CLI::Validator whole_number(long long lo, long long hi);
CLI::Validator seed_number(); // 0 to 2^64-1
CLI::Validator real_number(double lo, double hi, bool lo_open);

// Each helper adds the option to `command` and returns it (to add a default
// or further checks). The std::optional forms are overrides: left empty
// unless given on the command line.
CLI::Option* add_seed(CLI::App& command, std::uint64_t& seed,
                      const std::string& help = "Master seed");
CLI::Option* add_seed(CLI::App& command, std::optional<std::uint64_t>& seed,
                      const std::string& help);
CLI::Option* add_scale(CLI::App& command, double& scale, const std::string& help);
CLI::Option* add_scale(CLI::App& command, std::optional<double>& scale, const std::string& help);
CLI::Option* add_threads(CLI::App& command, int& threads,
                         const std::string& help = "Worker threads; 0 = all cores");
CLI::Option* add_replications(CLI::App& command, int& replications, const std::string& help,
                              int lo = 1, int hi = 100000);
CLI::Option* add_replications(CLI::App& command, std::optional<int>& replications,
                              const std::string& help, int lo = 1, int hi = 100000);
CLI::Option* add_out(CLI::App& command, std::filesystem::path& out, const std::string& help);
CLI::Option*
add_settings(CLI::App& command, std::vector<std::string>& settings,
             const std::string& help =
                 "Override a parameter: key=value, or key=value@YYYY-MM for 'from that\n"
                 "month on' (repeatable; keys as in docs/parameters.md)");
CLI::Option* add_quiet(CLI::App& command, bool& quiet,
                       const std::string& help = "No progress line and no summary table");
CLI::Option*
add_log_json(CLI::App& command, bool& log_json,
             const std::string& help =
                 "Progress as JSON lines on stderr (start, progress, end): for batch systems");
CLI::Option* add_resume(CLI::App& command, bool& resume, const std::string& help);
// --dry-run (print the plan and its estimated memory, disk and time) and
// --force (start although the estimate does not fit), for jobs the executor runs.
void add_sizing(CLI::App& command, bool& dry_run, bool& force);

// --- did you mean ------------------------------------------------------------

// Edit distance of the first `cap` characters of a and b (so a huge argument
// costs no more than a short one).
// (runner/input/toml_util.hpp's edit_distance with transpositions.)
inline std::size_t bounded_edit_distance(std::string_view a, std::string_view b,
                                         std::size_t cap = 64) {
    return edit_distance(a, b, cap, true);
}
// The candidate closest to `word` if it is close (at most a third of its
// length, and at most 3, edits away; leading dashes not counted in the
// length; words under 3 letters get no guess), else "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
// A word from the command line fit for a message: at most 40 characters.
std::string shown(std::string_view word);
// The options of a command as typed ("--seed", "-s"), for suggestions.
std::vector<std::string> option_names(const CLI::App& command);

} // namespace pbsim::runner::cli

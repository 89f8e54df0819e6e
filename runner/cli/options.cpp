#include "runner/cli/options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

namespace pbsim::runner::cli {

namespace {

std::string number_text(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

std::string got(const std::string& text) {
    return ", got '" + shown(text) + "'";
}

// The whole text as a number of type T, or nullopt (trailing junk, overflow, empty).
template <class T> std::optional<T> parse_whole(const std::string& text) {
    T v{};
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return v;
}

} // namespace

CLI::Validator whole_number(long long lo, long long hi) {
    const std::string range = "accepted " + std::to_string(lo) + " to " + std::to_string(hi);
    return CLI::Validator(
        [lo, hi, range](std::string& text) -> std::string {
            const auto v = parse_whole<long long>(text);
            if (!v || *v < lo || *v > hi) return range + got(text);
            return {};
        },
        "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

CLI::Validator seed_number() {
    const std::string range =
        "accepted 0 to " + std::to_string(std::numeric_limits<std::uint64_t>::max());
    return CLI::Validator(
        [range](std::string& text) -> std::string {
            return parse_whole<std::uint64_t>(text) ? std::string() : range + got(text);
        },
        "0 to 2^64-1");
}

CLI::Validator real_number(double lo, double hi, bool lo_open) {
    const std::string interval =
        (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) + "]";
    return CLI::Validator(
        [lo, hi, lo_open, interval](std::string& text) -> std::string {
            double v = 0;
            const char* end = text.data() + text.size();
            const auto [ptr, ec] = std::from_chars(text.data(), end, v);
            const bool ok = !text.empty() && ec == std::errc() && ptr == end && std::isfinite(v) &&
                            (lo_open ? v > lo : v >= lo) && v <= hi;
            return ok ? std::string() : "accepted a finite number in " + interval + got(text);
        },
        "in " + interval);
}

CLI::Option* add_seed(CLI::App& command, std::uint64_t& seed, const std::string& help) {
    return command.add_option("-s,--seed", seed, help + " (0 to 2^64-1)")
        ->check(seed_number())
        ->default_val(seed);
}

CLI::Option* add_seed(CLI::App& command, std::optional<std::uint64_t>& seed,
                      const std::string& help) {
    return command
        .add_option_function<std::uint64_t>(
            "-s,--seed", [&seed](const std::uint64_t& v) { seed = v; }, help + " (0 to 2^64-1)")
        ->check(seed_number());
}

CLI::Option* add_scale(CLI::App& command, double& scale, const std::string& help) {
    return command.add_option("--scale", scale, help)
        ->check(real_number(0, kMaxScale, true))
        ->default_val(scale);
}

CLI::Option* add_scale(CLI::App& command, std::optional<double>& scale, const std::string& help) {
    return command
        .add_option_function<double>(
            "--scale", [&scale](const double& v) { scale = v; }, help)
        ->check(real_number(0, kMaxScale, true));
}

CLI::Option* add_threads(CLI::App& command, int& threads, const std::string& help) {
    return command.add_option("-t,--threads", threads, help)
        ->check(whole_number(0, kMaxThreads))
        ->default_val(threads);
}

CLI::Option* add_replications(CLI::App& command, int& replications, const std::string& help, int lo,
                              int hi) {
    return command.add_option("-r,--replications", replications, help)
        ->check(whole_number(lo, hi))
        ->default_val(replications);
}

CLI::Option* add_replications(CLI::App& command, std::optional<int>& replications,
                              const std::string& help, int lo, int hi) {
    return command
        .add_option_function<int>(
            "-r,--replications", [&replications](const int& v) { replications = v; }, help)
        ->check(whole_number(lo, hi));
}

CLI::Option* add_out(CLI::App& command, std::filesystem::path& out, const std::string& help) {
    return command.add_option_function<std::string>(
        "-o,--out", [&out](const std::string& v) { out = v; }, help);
}

CLI::Option* add_settings(CLI::App& command, std::vector<std::string>& settings,
                          const std::string& help) {
    return command.add_option("--set", settings, help);
}

CLI::Option* add_quiet(CLI::App& command, bool& quiet, const std::string& help) {
    return command.add_flag("-q,--quiet", quiet, help);
}

CLI::Option* add_log_json(CLI::App& command, bool& log_json, const std::string& help) {
    return command.add_flag("--log-json", log_json, help);
}

CLI::Option* add_resume(CLI::App& command, bool& resume, const std::string& help) {
    return command.add_flag("--resume", resume, help);
}

void add_sizing(CLI::App& command, bool& dry_run, bool& force) {
    command.add_flag("--dry-run", dry_run,
                     "Print what would run and its estimated memory, disk and time; run nothing");
    command.add_flag(
        "--force", force,
        "Start even if the estimate says the job does not fit the free disk or memory");
}

// --- did you mean ------------------------------------------------------------

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
    const std::size_t letters = word.size() - std::min(word.find_first_not_of('-'), word.size());
    // Words of one or two letters are too short to guess from ("-x" is one edit
    // from every short option).
    const std::size_t allowed = letters < 3 ? 0 : std::clamp<std::size_t>(letters / 3, 1, 3);
    std::string best;
    std::size_t best_d = allowed + 1;
    for (const auto& c : candidates) {
        const std::size_t d = bounded_edit_distance(word, c);
        if (d < best_d) best_d = d, best = c;
    }
    return best;
}

std::string shown(std::string_view word) {
    constexpr std::size_t kMax = 40;
    if (word.size() <= kMax) return std::string(word);
    return std::string(word.substr(0, kMax - 3)) + "... (" + std::to_string(word.size()) +
           " characters)";
}

std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options()) {
        for (const auto& l : option->get_lnames())
            names.push_back("--" + l);
        for (const auto& s : option->get_snames())
            names.push_back("-" + s);
    }
    return names;
}

} // namespace pbsim::runner::cli

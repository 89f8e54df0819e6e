#include "runner/input/toml_util.hpp"

#include "runner/input/scenario_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

namespace pbsim::runner {

namespace fs = std::filesystem;

// Shortest exact text; whole numbers without an exponent (10000000, not 1e+07).
std::string format_number(double v) {
    char buf[64];
    const auto r = std::abs(v) < 1e15 && v == std::floor(v)
                       ? std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v))
                       : std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string range_text(const ParameterSpec& spec) {
    std::string text = "[";
    text.append(format_number(spec.min)).append(", ").append(format_number(spec.max)).append("]");
    if (spec.integer) text.append(" (whole number)");
    return text.append(", unit ").append(spec.unit);
}

namespace {

// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

} // namespace

std::string suggestion(std::string_view key) {
    std::string best;
    std::size_t best_d = 4; // only close matches
    for (const auto& spec : parameter_registry()) {
        const std::size_t d = edit_distance(key, spec.key);
        if (d < best_d) best_d = d, best = spec.key;
    }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

toml::table parse_toml(std::string_view text, const fs::path& file) {
    try {
        return toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
        throw ScenarioError(file.string() + ":" + std::to_string(e.source().begin.line) +
                            ": TOML syntax error: " + std::string(e.description()));
    }
}

std::optional<double> as_number(const toml::node& n) {
    if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
    if (const auto* f = n.as_floating_point()) return f->get();
    return std::nullopt;
}

std::string where(const fs::path& file, const toml::node& node) {
    std::string text = file.string();
    if (const auto line = node.source().begin.line; line > 0) text.append(":").append(std::to_string(line));
    return text;
}

namespace {
std::string type_name(const toml::node& n) {
    switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date/time";
    default: return "a number";
    }
}

} // namespace

// The offending value as it appeared, for messages.
std::string value_text(const toml::node& n) {
    std::string text;
    if (const auto* s = n.as_string()) {
        text.append("\"").append(s->get()).append("\" (a string)");
    } else if (const auto* b = n.as_boolean()) {
        text.append(b->get() ? "true" : "false").append(" (a boolean)");
    } else {
        text = type_name(n);
    }
    return text;
}

std::string read_text_file(const fs::path& file, std::string_view what) {
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw ScenarioError(file.string() + ": " + std::string(what) + " not found");
    if (fs::is_directory(file, ec))
        throw ScenarioError(file.string() + ": is a directory, not a " + std::string(what));
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ScenarioError(file.string() + ": cannot open " + std::string(what) + " for reading");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace pbsim::runner

#include "runner/input/sweep_file.hpp"

#include "runner/input/scenario_file.hpp"
#include "runner/input/toml_util.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace pbsim::runner {

namespace fs = std::filesystem;
using analysis::DesignKind;

namespace {

constexpr long kMaxRuns = 10'000'000; // design points x replications
constexpr long kMaxPoints = 200'000;  // design points (each a resolved scenario of a few kB)

bool in_range(const ParameterSpec& spec, double v) {
    return v >= spec.min && v <= spec.max && (!spec.integer || v == std::floor(v));
}

long whole(const toml::node& n, const fs::path& file, const std::string& key, long lo, long hi) {
    const auto* i = n.as_integer();
    if (!i || i->get() < lo || i->get() > hi)
        throw ScenarioError(where(file, n) + ": " + key + " must be a whole number in [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<long>(i->get());
}

std::string text_value(const toml::node& n, const fs::path& file, const std::string& key) {
    if (const auto* s = n.as_string()) return s->get();
    throw ScenarioError(where(file, n) + ": " + key + " must be a string");
}

struct Located {
    SweepFactor factor;
    std::uint32_t line, column;
};

// One swept parameter: a list of values, or a table { min, max[, from] }.
Located parse_factor(const std::string& key, const toml::node& node, const fs::path& file) {
    const std::string name = "parameters." + key;
    const int id = find_parameter(key);
    if (id < 0)
        throw ScenarioError(where(file, node) + ": unknown parameter '" + shorten(key) +
                            "' in [parameters]" + suggestion(key) +
                            "; keys are as in docs/parameters.md");
    const ParameterSpec& spec = parameter_registry()[id];
    Located out{{{key, 0, 0, {}, spec.integer}, std::nullopt, std::string(spec.unit)},
                node.source().begin.line,
                node.source().begin.column};
    analysis::Factor& f = out.factor.factor;
    if (const auto* list = node.as_array()) {
        if (list->empty())
            throw ScenarioError(where(file, node) + ": " + name + " is an empty list of values");
        for (const auto& v : *list) {
            const auto x = as_number(v);
            if (!x)
                throw ScenarioError(where(file, v) + ": " + name +
                                    ": every value must be a number");
            if (!in_range(spec, *x))
                throw ScenarioError(where(file, v) + ": " + name + ": value " + format_number(*x) +
                                    " is out of range: accepted " + range_text(spec));
            f.values.push_back(*x);
        }
        f.low = *std::min_element(f.values.begin(), f.values.end());
        f.high = *std::max_element(f.values.begin(), f.values.end());
        return out;
    }
    const auto* table = node.as_table();
    if (!table)
        throw ScenarioError(
            where(file, node) + ": " + name + " must be { min = ..., max = ... } or " +
            "a list of values; a single value belongs in the base scenario or --set");
    std::optional<double> lo, hi;
    for (const auto& [k, v] : *table) {
        const std::string field(k.str());
        if (field == "min" || field == "max") {
            const auto x = as_number(v);
            if (!x)
                throw ScenarioError(where(file, v) + ": " + name + "." + field +
                                    " must be a number");
            if (!in_range(spec, *x))
                throw ScenarioError(where(file, v) + ": " + name + ": " + field + " = " +
                                    format_number(*x) + " is out of range: accepted " +
                                    range_text(spec));
            (field == "min" ? lo : hi) = *x;
        } else if (field == "from") {
            const std::string month = text_value(v, file, name + ".from");
            out.factor.from = parse_month(month);
            if (!out.factor.from)
                throw ScenarioError(where(file, v) + ": " + name + ".from = \"" + shorten(month) +
                                    "\" is not a month: accepted \"YYYY-MM\"");
            if (!spec.time_varying)
                throw ScenarioError(where(file, v) + ": " + name +
                                    " is fixed for a run and cannot vary by date; drop 'from'");
        } else {
            throw ScenarioError(where(file, v) + ": unknown key '" + shorten(field) + "' in " +
                                name + "; accepted min, max, from");
        }
    }
    if (!lo || !hi)
        throw ScenarioError(where(file, node) + ": " + name + " needs both min and max (range " +
                            range_text(spec) + ")");
    if (!(*lo < *hi))
        throw ScenarioError(where(file, node) + ": " + name + ": min = " + format_number(*lo) +
                            " must be below max = " + format_number(*hi));
    f.low = *lo;
    f.high = *hi;
    return out;
}

// [parameters] may use quoted keys ("a.b" = ...) or nested tables ([parameters.a] b = ...).
void collect_factors(const toml::table& table, const std::string& prefix, const fs::path& file,
                     std::vector<Located>& out) {
    for (const auto& [k, node] : table) {
        const std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        const auto* t = node.as_table();
        const bool leaf = !t || t->contains("min") || t->contains("max") || t->contains("from") ||
                          find_parameter(key) >= 0;
        if (leaf)
            out.push_back(parse_factor(key, node, file));
        else
            collect_factors(*t, key, file, out);
    }
}

std::string point_text(const Sweep& s, const std::vector<double>& values) {
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i)
        text += (i ? ", " : "") + s.factors[i].factor.key + "=" + format_number(values[i]);
    return text;
}

void check_sizes(Sweep& s) {
    const std::string f = s.file.string();
    if (s.factors.empty())
        throw ScenarioError(f + ": no parameters to vary; add a [parameters] table, e.g. " +
                            "\"awareness.from_peer\" = { min = 0.002, max = 0.03 }");
    if (s.factors.size() > 500)
        throw ScenarioError(f + ": " + std::to_string(s.factors.size()) +
                            " parameters; accepted at most 500");
    const int min_points = s.design == DesignKind::sobol || s.design == DesignKind::morris ? 2 : 1;
    if (s.points < min_points || s.points > 1'000'000)
        throw ScenarioError(f + ": points = " + std::to_string(s.points) +
                            " is out of range: accepted [" + std::to_string(min_points) +
                            ", 1000000] for design '" +
                            std::string(analysis::design_name(s.design)) + "'");
    if (s.design == DesignKind::morris && (s.levels < 2 || s.levels > 100 || s.levels % 2 != 0))
        throw ScenarioError(f + ": levels = " + std::to_string(s.levels) +
                            " is out of range: accepted an even number in [2, 100]");
    if (s.replications < 1 || s.replications > 100000)
        throw ScenarioError(f + ": replications = " + std::to_string(s.replications) +
                            " is out of range: accepted [1, 100000]");
    if (!(s.scale >= 1e-6 && s.scale <= 10))
        throw ScenarioError(f + ": scale = " + format_number(s.scale) +
                            " is out of range: accepted [1e-06, 10]");
    double rows = 0;
    const double k = static_cast<double>(s.factors.size());
    switch (s.design) {
    case DesignKind::grid:
        rows = 1;
        for (const auto& x : s.factors)
            rows *=
                x.factor.values.empty() ? s.points : static_cast<double>(x.factor.values.size());
        break;
    case DesignKind::lhs:
        rows = s.points;
        break;
    case DesignKind::sobol:
        rows = s.points * (k + 2);
        break;
    case DesignKind::morris:
        rows = s.points * (k + 1);
        break;
    }
    // Each point is a resolved scenario in memory (a few kB) and a row of the
    // design matrices: bounded before anything is allocated.
    if (rows > kMaxPoints)
        throw ScenarioError(f + ": the design has " + format_number(rows) + " points (" +
                            std::to_string(s.factors.size()) + " parameters); accepted at most " +
                            std::to_string(kMaxPoints) +
                            " points: lower `points` or vary fewer "
                            "parameters");
    if (rows * s.replications > kMaxRuns)
        throw ScenarioError(f + ": the design has " + format_number(rows) + " points x " +
                            std::to_string(s.replications) + " replications; accepted at most " +
                            std::to_string(kMaxRuns) + " runs");
}

} // namespace

Sweep parse_sweep(const std::string& text, const fs::path& file, const SweepOverrides& o) {
    const toml::table doc = parse_toml(text, file);
    Sweep s;
    s.file = file;
    s.text = text;
    std::vector<Located> factors;
    const toml::node* base = nullptr;
    for (const auto& [k, node] : doc) {
        const std::string key(k.str());
        if (key == "description")
            s.description = text_value(node, file, key);
        else if (key == "base")
            base = &node;
        else if (key == "design") {
            const std::string name = text_value(node, file, key);
            if (!analysis::parse_design(name, s.design))
                throw ScenarioError(
                    where(file, node) + ": design = \"" + shorten(name) +
                    "\" is unknown: accepted \"grid\", \"lhs\", \"sobol\", \"morris\"");
        } else if (key == "points")
            s.points = static_cast<int>(whole(node, file, key, 1, 1'000'000));
        else if (key == "levels")
            s.levels = static_cast<int>(whole(node, file, key, 2, 100));
        else if (key == "replications")
            s.replications = static_cast<int>(whole(node, file, key, 1, 100000));
        else if (key == "seed")
            s.seed = static_cast<std::uint64_t>(whole(node, file, key, 0, INT64_MAX));
        else if (key == "scale") {
            const auto x = as_number(node);
            if (!x || !(*x >= 1e-6 && *x <= 10))
                throw ScenarioError(where(file, node) + ": scale must be a number in [1e-06, 10]");
            s.scale = *x;
        } else if (key == "outputs") {
            const auto* list = node.as_array();
            if (!list)
                throw ScenarioError(where(file, node) +
                                    ": outputs must be a list, e.g. [\"summary\", \"timeseries\"]");
            for (const auto& v : *list) {
                const std::string what = text_value(v, file, "outputs");
                if (what == "timeseries")
                    s.timeseries = true;
                else if (what != "summary")
                    throw ScenarioError(where(file, v) + ": outputs: \"" + shorten(what) +
                                        "\" is unknown: accepted \"summary\", \"timeseries\"");
            }
        } else if (key == "parameters") {
            const auto* t = node.as_table();
            if (!t) throw ScenarioError(where(file, node) + ": parameters must be a table");
            collect_factors(*t, "", file, factors);
        } else {
            throw ScenarioError(
                where(file, node) + ": unknown key '" + shorten(key) + "'; accepted description, " +
                "base, design, points, levels, replications, seed, scale, outputs, " +
                "[parameters]");
        }
    }
    // Factors in the order written in the file (TOML tables are sorted by key).
    std::sort(factors.begin(), factors.end(), [](const Located& a, const Located& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    for (auto& f : factors)
        s.factors.push_back(std::move(f.factor));

    if (!base)
        throw ScenarioError(file.string() + ": missing key 'base': the scenario file the sweep " +
                            "varies, e.g. base = \"../baseline.toml\"");
    s.base_file =
        linked_file(file, *base, "base", text_value(*base, file, "base"), "scenario file");
    s.base = load_scenario(s.base_file).scenario;

    if (o.points) s.points = *o.points;
    if (o.replications) s.replications = *o.replications;
    if (o.seed) s.seed = *o.seed;
    if (o.scale) s.scale = *o.scale;
    if (!o.settings.empty()) {
        for (const auto& a : o.settings)
            for (const auto& f : s.factors)
                if (a.substr(0, a.find('=')) == f.factor.key)
                    throw ScenarioError("--set " + a + ": " + f.factor.key + " is varied by " +
                                        file.string() +
                                        "; --set fixes only parameters the sweep does not vary");
        apply_settings(s.base, o.settings, "--set");
    }
    check_sizes(s);

    // Every design point must make a valid scenario (cross-parameter rules).
    const auto unit = unit_design(s);
    for (std::size_t p = 0; p < unit.rows; ++p) {
        const auto values = point_values(s, unit, p);
        try {
            point_scenario(s, values);
        } catch (const ScenarioError& e) {
            throw ScenarioError(file.string() + ": design point " + std::to_string(p) + " (" +
                                point_text(s, values) + ") makes an invalid scenario: " + e.what() +
                                "; narrow the ranges");
        }
    }
    return s;
}

Sweep load_sweep(const fs::path& file, const SweepOverrides& overrides) {
    return parse_sweep(read_text_file(file, "sweep file"), file, overrides);
}

analysis::Matrix unit_design(const Sweep& s) {
    const std::size_t k = s.factors.size();
    const auto n = static_cast<std::size_t>(s.points);
    switch (s.design) {
    case DesignKind::grid: {
        std::vector<int> levels;
        for (const auto& f : s.factors)
            levels.push_back(f.factor.values.empty() ? s.points
                                                     : static_cast<int>(f.factor.values.size()));
        return analysis::grid_design(levels);
    }
    case DesignKind::lhs:
        return analysis::latin_hypercube(n, k, s.seed);
    case DesignKind::sobol:
        return analysis::saltelli_design(n, k, s.seed);
    case DesignKind::morris:
        return analysis::morris_design(n, k, s.levels, s.seed);
    }
    return {};
}

std::vector<double> point_values(const Sweep& s, const analysis::Matrix& unit, std::size_t point) {
    std::vector<double> v;
    for (std::size_t j = 0; j < s.factors.size(); ++j)
        v.push_back(analysis::factor_value(s.factors[j].factor, unit(point, j)));
    return v;
}

Scenario point_scenario(const Sweep& s, const std::vector<double>& values) {
    Scenario sc = s.base;
    for (std::size_t j = 0; j < s.factors.size(); ++j) {
        const auto& f = s.factors[j];
        if (f.from)
            sc.set_from(f.factor.key, *f.from, values[j]);
        else
            sc.set_constant(f.factor.key, values[j]);
    }
    validate(sc, s.base_file.string() + " with the design point");
    return sc;
}

} // namespace pbsim::runner

#include "runner/input/calibration_file.hpp"

#include "model/summary.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/input/toml_util.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace pbsim::runner {

namespace fs = std::filesystem;
using analysis::AbcSettings;

namespace {

const std::set<std::string> kKeys = {"description", "scenario",    "targets",  "end",
                                     "method",      "seed",        "scale",    "replications",
                                     "particles",   "generations", "quantile", "min_acceptance",
                                     "batch",       "parameters",  "target"};

std::string string_of(const toml::node& n, const fs::path& file, std::string_view key) {
    if (const auto* s = n.as_string()) return s->get();
    throw ScenarioError(where(file, n) + ": " + std::string(key) + " must be a string, got " +
                        value_text(n));
}

// A number setting in [lo, hi] (whole if `whole`), or `fallback` if absent.
double setting(const toml::table& doc, const fs::path& file, const char* key, double lo, double hi,
               bool whole, double fallback, bool open_low = false) {
    const auto* n = doc.get(key);
    if (!n) return fallback;
    const auto v = as_number(*n);
    const bool ok =
        v && (open_low ? *v > lo : *v >= lo) && *v <= hi && (!whole || *v == std::floor(*v));
    if (!ok)
        throw ScenarioError(
            where(file, *n) + ": " + key + " = " + (v ? format_number(*v) : value_text(*n)) +
            " is out of range: accepted " + (whole ? "a whole number " : "a number ") +
            (open_low ? "above " : "from ") + format_number(lo) + (open_low ? " up to " : " to ") +
            format_number(hi));
    return *v;
}

std::vector<std::string> summary_columns(const CalibrationSpec& s) {
    std::vector<std::string> names;
    for (const auto& v : summarise(ReplicationResult{}, s.scenario, s.scale))
        names.push_back(v.name);
    return names;
}

} // namespace

CalibrationSpec load_calibration(const fs::path& file) {
    CalibrationSpec spec;
    spec.file = file;
    spec.name = file.stem().string();
    spec.text = read_text_file(file, "calibration file");
    const toml::table doc = parse_toml(spec.text, file);
    for (const auto& [k, node] : doc)
        if (!kKeys.count(std::string(k.str())))
            throw ScenarioError(where(file, node) + ": unknown key '" + shorten(k.str()) +
                                "'; accepted description, scenario, targets, end, method, seed, "
                                "scale, replications, particles, generations, quantile, "
                                "min_acceptance, batch, [parameters] and [[target]]");
    if (const auto* d = doc.get("description"))
        spec.description = string_of(*d, file, "description");

    const auto* sc = doc.get("scenario");
    if (!sc)
        throw ScenarioError(file.string() + ": scenario is missing: name the scenario file to "
                                            "calibrate, e.g. scenario = \"../baseline.toml\"");
    spec.scenario_file =
        linked_file(file, *sc, "scenario", string_of(*sc, file, "scenario"), "scenario file");
    spec.scenario = load_scenario(spec.scenario_file).scenario;
    if (const auto* e = doc.get("end")) {
        const std::string text = string_of(*e, file, "end");
        const auto m = parse_month(text);
        if (!m || *m < spec.scenario.start || *m > spec.scenario.end)
            throw ScenarioError(where(file, *e) + ": end = \"" + text + "\" is not accepted: a " +
                                "month \"YYYY-MM\" from the scenario's start (" +
                                spec.scenario.start.to_string() + ") to its end (" +
                                spec.scenario.end.to_string() + ")");
        spec.scenario.end = *m;
        if (spec.scenario.evaluation_start && *spec.scenario.evaluation_start > *m)
            spec.scenario.evaluation_start.reset();
    }

    const std::string method =
        doc.get("method") ? string_of(*doc.get("method"), file, "method") : "abc-smc";
    if (method != "abc-smc" && method != "rejection")
        throw ScenarioError(where(file, *doc.get("method")) + ": method = \"" + method +
                            "\" is not accepted: \"abc-smc\" or \"rejection\"");
    spec.abc.method =
        method == "rejection" ? AbcSettings::Method::rejection : AbcSettings::Method::smc;
    if (const auto* seed = doc.get("seed")) { // an integer: a double would round large seeds
        const auto* i = seed->as_integer();
        if (!i || i->get() < 0)
            throw ScenarioError(
                where(file, *seed) + ": seed = " +
                (as_number(*seed) ? format_number(*as_number(*seed)) : value_text(*seed)) +
                " is not accepted: a whole number from 0 to 9223372036854775807");
        spec.seed = static_cast<std::uint64_t>(i->get());
    }
    spec.scale = setting(doc, file, "scale", 0, 10, false, 0.25, true);
    spec.replications = static_cast<int>(setting(doc, file, "replications", 1, 10000, true, 4));
    spec.abc.particles = static_cast<int>(setting(doc, file, "particles", 2, 1e6, true, 100));
    spec.abc.generations = static_cast<int>(setting(doc, file, "generations", 1, 100, true, 6));
    spec.abc.quantile = setting(doc, file, "quantile", 0, 0.99, false, 0.5, true);
    spec.abc.min_acceptance = setting(doc, file, "min_acceptance", 0, 1, false, 0.02, true);
    spec.abc.batch = static_cast<int>(setting(doc, file, "batch", 0, 1e6, true, 0));

    const auto* params = doc.get("parameters");
    if (!params || !params->as_table() || params->as_table()->empty())
        throw ScenarioError(
            file.string() +
            ": [parameters] is missing or empty: name each free "
            "parameter with its prior range, e.g. \"request.base_rate\" = [0.004, 0.03]");
    for (const auto& [k, v] : *params->as_table()) {
        const std::string key(k.str());
        const ParameterRef ref = parameter_ref(spec.scenario, key, where(file, v));
        const auto& p = parameter_registry()[ref.id];
        if (p.integer)
            throw ScenarioError(where(file, v) + ": " + key +
                                " is a whole-number parameter; only " +
                                "continuous parameters can be calibrated");
        const auto* arr = v.as_array();
        const auto lo = arr && arr->size() == 2 ? as_number(*arr->get(0)) : std::nullopt;
        const auto hi = arr && arr->size() == 2 ? as_number(*arr->get(1)) : std::nullopt;
        if (!lo || !hi || !(*lo < *hi) || *lo < p.min || *hi > p.max)
            throw ScenarioError(where(file, v) + ": " + key +
                                " must be a prior range [low, high] " + "with low < high inside " +
                                range_text(p));
        spec.prior.names.push_back(key);
        spec.free.push_back(ref);
        spec.prior.low.push_back(*lo);
        spec.prior.high.push_back(*hi);
        // Each end of the prior must give a valid scenario (cross-parameter rules).
        for (const double bound : {*lo, *hi}) {
            Scenario s = spec.scenario;
            set_parameter(s, ref, bound);
            try {
                validate(s, file.string());
            } catch (const ScenarioError& e) {
                throw ScenarioError(where(file, v) + ": the prior of " + key + " reaches " +
                                    format_number(bound) + ", where the scenario is invalid (" +
                                    e.what() + ")");
            }
        }
    }

    const auto* tf = doc.get("targets");
    if (!tf)
        throw ScenarioError(file.string() + ": targets is missing: name the targets CSV, e.g. "
                                            "targets = \"targets.csv\"");
    spec.targets_file = linked_file(file, *tf, "targets", string_of(*tf, file, "targets"),
                                    "targets CSV", kMaxCsvBytes);
    std::vector<analysis::Target> rows;
    try {
        rows =
            analysis::parse_targets(read_text_file(spec.targets_file, "targets CSV", kMaxCsvBytes),
                                    spec.targets_file.string());
    } catch (const analysis::TargetError& e) {
        throw ScenarioError(e.what());
    }
    const auto* list = doc.get("target");
    if (!list || !list->as_array() || list->as_array()->empty())
        throw ScenarioError(file.string() +
                            ": no [[target]]: map each target row to a summary "
                            "column, e.g. name = \"mh_dp_users_england\", period = \"2001\", "
                            "output = \"dp_holders_2001_12\"");
    const auto columns = summary_columns(spec);
    for (const auto& node : *list->as_array()) {
        const auto* t = node.as_table();
        if (!t) throw ScenarioError(where(file, node) + ": each [[target]] must be a table");
        for (const auto& [k, v] : *t)
            if (k.str() != "name" && k.str() != "period" && k.str() != "output")
                throw ScenarioError(where(file, v) + ": unknown key '" + shorten(k.str()) +
                                    "' in [[target]]; accepted name, period, output");
        auto field = [&](const char* key) {
            const auto* v = t->get(key);
            if (!v) throw ScenarioError(where(file, node) + ": [[target]] needs " + key);
            return string_of(*v, file, key);
        };
        const std::string name = field("name"), period = field("period"), output = field("output");
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const analysis::Target& r) {
            return r.name == name && r.period == period;
        });
        if (row == rows.end())
            throw ScenarioError(where(file, node) + ": no row with target " + name +
                                " and period " + period + " in " + spec.targets_file.string());
        const auto column = std::find(columns.begin(), columns.end(), output);
        if (column == columns.end())
            throw ScenarioError(where(file, *t->get("output")) + ": output '" + output +
                                "' is not a summary column; see docs/hdf5-schema.md (e.g. "
                                "dp_holders_2008_12, uptake_share_2012_03)");
        // A checkpoint column must fall inside the (possibly shortened) run, or
        // every candidate would be NaN and nothing could ever be accepted.
        for (const char* checkpoint : kCheckpoints) {
            std::string label(checkpoint);
            std::replace(label.begin(), label.end(), '-', '_');
            const auto month = *parse_month(checkpoint);
            if (output.ends_with("_" + label) &&
                (month < spec.scenario.start || month > spec.scenario.end))
                throw ScenarioError(where(file, *t->get("output")) + ": output '" + output +
                                    "' is read in " + checkpoint + ", outside the simulated " +
                                    "months " + spec.scenario.start.to_string() + " to " +
                                    spec.scenario.end.to_string() + "; move end or choose " +
                                    "another output");
        }
        spec.targets.push_back(*row);
        spec.outputs.push_back(output);
        spec.output_columns.push_back(static_cast<std::size_t>(column - columns.begin()));
    }
    if (std::none_of(spec.targets.begin(), spec.targets.end(), [](auto& t) { return t.fitted; }))
        throw ScenarioError(file.string() +
                            ": every [[target]] is a context row; name at least one "
                            "target with a tolerance");
    // The sampler's key differs from the simulations' (same seed, other stream).
    spec.abc.seed = spec.seed ^ 0x9e3779b97f4a7c15ull;
    return spec;
}

} // namespace pbsim::runner

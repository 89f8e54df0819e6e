#include "runner/experiments/calibrate.hpp"

#include "model/summary.hpp"
#include "runner/exec/cluster.hpp"
#include "runner/exec/executor.hpp"
#include "runner/exec/plan.hpp"
#include "runner/exec/progress.hpp"
#include "runner/output/results_file.hpp"
#include "runner/output/run_output.hpp"
#include "runner/experiments/run.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/input/toml_util.hpp"
#include "runner/output/version.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <unistd.h>

namespace pbsim::runner {

namespace fs = std::filesystem;
using analysis::AbcSettings;

namespace {

const std::set<std::string> kKeys = {"description", "scenario",     "targets",        "end",
                                     "method",      "seed",         "scale",          "replications",
                                     "particles",   "generations",  "quantile",       "min_acceptance",
                                     "batch",       "parameters",   "target"};

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
    const bool ok = v && (open_low ? *v > lo : *v >= lo) && *v <= hi &&
                    (!whole || *v == std::floor(*v));
    if (!ok)
        throw ScenarioError(where(file, *n) + ": " + key + " = " +
                            (v ? format_number(*v) : value_text(*n)) + " is out of range: accepted " +
                            (whole ? "a whole number " : "a number ") + (open_low ? "above " : "from ") +
                            format_number(lo) + (open_low ? " up to " : " to ") + format_number(hi));
    return *v;
}

std::vector<std::string> summary_columns(const CalibrationSpec& s) {
    std::vector<std::string> names;
    for (const auto& v : summarise(ReplicationResult{}, s.scenario, s.scale)) names.push_back(v.name);
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
    if (const auto* d = doc.get("description")) spec.description = string_of(*d, file, "description");

    const auto* sc = doc.get("scenario");
    if (!sc) throw ScenarioError(file.string() + ": scenario is missing: name the scenario file to "
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

    const std::string method = doc.get("method") ? string_of(*doc.get("method"), file, "method")
                                                 : "abc-smc";
    if (method != "abc-smc" && method != "rejection")
        throw ScenarioError(where(file, *doc.get("method")) + ": method = \"" + method +
                            "\" is not accepted: \"abc-smc\" or \"rejection\"");
    spec.abc.method = method == "rejection" ? AbcSettings::Method::rejection : AbcSettings::Method::smc;
    if (const auto* seed = doc.get("seed")) { // an integer: a double would round large seeds
        const auto* i = seed->as_integer();
        if (!i || i->get() < 0)
            throw ScenarioError(where(file, *seed) + ": seed = " +
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
        throw ScenarioError(file.string() + ": [parameters] is missing or empty: name each free "
                            "parameter with its prior range, e.g. \"request.base_rate\" = [0.004, 0.03]");
    for (const auto& [k, v] : *params->as_table()) {
        const std::string key(k.str());
        const int id = find_parameter(key);
        if (id < 0)
            throw ScenarioError(where(file, v) + ": unknown parameter '" + shorten(key) + "'" +
                                suggestion(key));
        const auto& p = parameter_registry()[id];
        if (p.integer)
            throw ScenarioError(where(file, v) + ": " + key + " is a whole-number parameter; only " +
                                "continuous parameters can be calibrated");
        const auto* arr = v.as_array();
        const auto lo = arr && arr->size() == 2 ? as_number(*arr->get(0)) : std::nullopt;
        const auto hi = arr && arr->size() == 2 ? as_number(*arr->get(1)) : std::nullopt;
        if (!lo || !hi || !(*lo < *hi) || *lo < p.min || *hi > p.max)
            throw ScenarioError(where(file, v) + ": " + key + " must be a prior range [low, high] " +
                                "with low < high inside " + range_text(p));
        spec.prior.names.push_back(key);
        spec.prior.low.push_back(*lo);
        spec.prior.high.push_back(*hi);
        // Each end of the prior must give a valid scenario (cross-parameter rules).
        for (const double bound : {*lo, *hi}) {
            Scenario s = spec.scenario;
            s.set_constant(key, bound);
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
    if (!tf) throw ScenarioError(file.string() + ": targets is missing: name the targets CSV, e.g. "
                                 "targets = \"targets.csv\"");
    spec.targets_file = linked_file(file, *tf, "targets", string_of(*tf, file, "targets"),
                                    "targets CSV", kMaxCsvBytes);
    std::vector<analysis::Target> rows;
    try {
        rows = analysis::parse_targets(read_text_file(spec.targets_file, "targets CSV", kMaxCsvBytes),
                                       spec.targets_file.string());
    } catch (const analysis::TargetError& e) {
        throw ScenarioError(e.what());
    }
    const auto* list = doc.get("target");
    if (!list || !list->as_array() || list->as_array()->empty())
        throw ScenarioError(file.string() + ": no [[target]]: map each target row to a summary "
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
            throw ScenarioError(where(file, node) + ": no row with target " + name + " and period " +
                                period + " in " + spec.targets_file.string());
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
        throw ScenarioError(file.string() + ": every [[target]] is a context row; name at least one "
                            "target with a tolerance");
    // The sampler's key differs from the simulations' (same seed, other stream).
    spec.abc.seed = spec.seed ^ 0x9e3779b97f4a7c15ull;
    return spec;
}

std::vector<std::vector<double>> model_outputs(const CalibrationSpec& spec,
                                               const std::vector<std::vector<double>>& thetas,
                                               int threads, const std::function<bool()>& stop) {
    std::vector<Scenario> scenarios;
    for (const auto& theta : thetas) {
        Scenario s = spec.scenario;
        for (std::size_t k = 0; k < spec.prior.size(); ++k) s.set_constant(spec.prior.names[k], theta[k]);
        scenarios.push_back(std::move(s));
    }
    const auto& column = spec.output_columns;
    const std::size_t K = spec.outputs.size(), R = static_cast<std::size_t>(spec.replications);
    std::vector<double> values(thetas.size() * R * K);
    const RunPlan plan{std::move(scenarios), spec.replications, spec.seed, spec.scale};
    Job job = simulation_job(plan, K, [&](std::size_t run, ReplicationResult& res, std::vector<double>& record) {
        const auto summary = summarise(res, plan.variants[plan.variant(run)], spec.scale);
        for (std::size_t k = 0; k < K; ++k) record[k] = summary[column[k]].value;
    });
    Cluster one_process = Cluster::local();
    Progress quiet({true, false}, "calibrate", "runs", plan.runs());
    Executor executor(one_process);
    const ExecOutcome outcome = executor.run(job, {threads, {}, false, stop}, quiet,
                                             [&](std::size_t run, std::vector<double>&& record) {
                                                 std::copy(record.begin(), record.end(),
                                                           values.begin() + static_cast<long>(run * K));
                                             });
    if (outcome.status == ExecOutcome::Status::interrupted || (stop && stop())) throw Interrupted{};
    if (!outcome.ok()) throw std::runtime_error(outcome.message);
    std::vector<std::vector<double>> out(thetas.size(), std::vector<double>(K, 0.0));
    for (std::size_t s = 0; s < thetas.size(); ++s)
        for (std::size_t r = 0; r < R; ++r) // summed in replication order: thread-independent
            for (std::size_t k = 0; k < K; ++k) out[s][k] += values[(s * R + r) * K + k] / R;
    return out;
}

double target_distance(const CalibrationSpec& spec, const std::vector<double>& outputs) {
    std::vector<double> errors;
    for (std::size_t k = 0; k < spec.targets.size(); ++k)
        if (spec.targets[k].fitted) errors.push_back(analysis::normalised_error(spec.targets[k], outputs[k]));
    return analysis::distance(errors);
}

analysis::AbcResult calibrate(const CalibrationSpec& spec, int threads,
                              const std::function<bool()>& stop,
                              const analysis::OnGeneration& on_generation,
                              const std::function<void(long)>& on_batch) {
    long evaluated = 0;
    return analysis::abc(
        spec.prior, spec.abc,
        [&](const std::vector<std::vector<double>>& thetas) {
            const auto outputs = model_outputs(spec, thetas, threads, stop);
            std::vector<analysis::Evaluation> out;
            for (const auto& o : outputs) out.push_back({target_distance(spec, o), o});
            evaluated += static_cast<long>(thetas.size());
            if (on_batch) on_batch(evaluated);
            return out;
        },
        on_generation);
}

namespace {

std::string fixed(double v) {
    char buf[48];
    if (!std::isfinite(v)) return std::isinf(v) ? "inf" : "n/a";
    const double a = std::abs(v);
    std::snprintf(buf, sizeof buf, a >= 1000 ? "%.0f" : "%.3g", v);
    return buf;
}

// "[lo, hi]", built by appending (GCC 12 warns falsely on chains of "x" + string).
std::string bracket(double lo, double hi) {
    std::string s("[");
    s.append(fixed(lo)).append(", ").append(fixed(hi)).append("]");
    return s;
}

void write_results(ResultsFile& f, const CalibrationSpec& spec, const analysis::AbcResult& r,
                   const analysis::PosteriorSummary& post, const CalibrateOptions& o) {
    // Groups, variables, units and descriptions: layout::calibration_*.
    const std::size_t K = spec.targets.size();
    f.provenance(layout::calibration_file(),
                 {std::string(kVersion), std::string(kSourceRevision), utc_now(), o.command_line});
    f.attribute("/", "calibration_file", spec.file.string());
    f.attribute("/", "calibration_toml", spec.text);
    f.attribute("/", "scenario_file", spec.scenario_file.string());
    f.attribute("/", "scenario_toml", to_toml(spec.scenario, "Resolved scenario calibrated"));
    f.attribute("/", "targets_file", spec.targets_file.string());
    f.attribute("/", "seed", static_cast<std::uint64_t>(spec.seed));
    f.attribute("/", "scale", spec.scale);
    f.attribute("/", "replications", static_cast<std::int32_t>(spec.replications));
    f.attribute("/", "method", std::string(spec.abc.method == AbcSettings::Method::smc ? "abc-smc"
                                                                                       : "rejection"));
    f.attribute("/", "particles", static_cast<std::int32_t>(spec.abc.particles));
    f.attribute("/", "stop_reason", r.stop_reason);
    f.attribute("/", "evaluations", static_cast<std::int32_t>(r.evaluations));
    f.attribute("/", "distance", std::string("root mean square over fitted targets of the error in "
                                             "units of the tolerance (1 = at its edge)"));

    {
        auto& t = f.table(layout::calibration_parameters());
        t.coordinate("parameter", spec.prior.names);
        t.numbers("prior_low", spec.prior.low);
        t.numbers("prior_high", spec.prior.high);
    }

    std::vector<std::string> names, periods, units;
    std::vector<double> value, low, high, fitted;
    for (const auto& t : spec.targets) {
        names.push_back(t.name), periods.push_back(t.period), units.push_back(t.unit);
        value.push_back(t.value), low.push_back(t.low), high.push_back(t.high);
        fitted.push_back(t.fitted);
    }
    {
        auto& t = f.table(layout::calibration_targets());
        t.index("target", K);
        t.strings("name", names);
        t.strings("period", periods);
        t.strings("output", spec.outputs);
        t.strings("unit", units);
        t.numbers("value", value);
        t.numbers("low", low);
        t.numbers("high", high);
        t.numbers("fitted", fitted);
    }

    for (std::size_t g = 0; g < r.generations.size(); ++g) {
        const auto& gen = r.generations[g];
        char name[48];
        std::snprintf(name, sizeof name, "/generations/%02zu", g);
        std::vector<double> theta, weight, distance, outputs;
        for (const auto& p : gen.particles) {
            theta.insert(theta.end(), p.theta.begin(), p.theta.end());
            outputs.insert(outputs.end(), p.outputs.begin(), p.outputs.end());
            weight.push_back(p.weight), distance.push_back(p.distance);
        }
        auto& t = f.table(layout::calibration_generation(name), name);
        t.index("particle", gen.particles.size());
        t.coordinate("parameter", spec.prior.names);
        t.index("target", K);
        t.numbers("theta", theta);
        t.numbers("weight", weight);
        t.numbers("distance", distance);
        t.numbers("outputs", outputs);
        t.attribute("epsilon", gen.epsilon);
        t.attribute("candidates", static_cast<std::int32_t>(gen.candidates));
    }

    const auto& final_gen = r.posterior();
    const auto& best = final_gen.particles[post.best];
    {
        auto& t = f.table(layout::calibration_posterior());
        t.coordinate("parameter", spec.prior.names);
        t.numbers("mean", post.mean);
        t.numbers("sd", post.sd);
        t.numbers("median", post.median);
        t.numbers("low", post.low);
        t.numbers("high", post.high);
        t.numbers("contraction", post.contraction);
        t.numbers("best_theta", best.theta);
        t.attribute("best_distance", best.distance);
    }

    std::vector<double> errors, within, plo, phi, pmed;
    std::vector<double> w;
    for (const auto& p : final_gen.particles) w.push_back(p.weight);
    for (std::size_t k = 0; k < K; ++k) {
        const double e = analysis::normalised_error(spec.targets[k], best.outputs[k]);
        errors.push_back(e);
        within.push_back(std::abs(e) <= 1.0);
        std::vector<double> v;
        for (const auto& p : final_gen.particles) v.push_back(p.outputs[k]);
        plo.push_back(analysis::weighted_quantile(v, w, 0.025));
        pmed.push_back(analysis::weighted_quantile(v, w, 0.5));
        phi.push_back(analysis::weighted_quantile(v, w, 0.975));
    }
    auto& t = f.table(layout::calibration_fit());
    t.index("target", K);
    t.strings("name", names);
    t.numbers("best", best.outputs);
    t.numbers("best_error", errors);
    t.numbers("best_within_tolerance", within);
    t.numbers("posterior_median", pmed);
    t.numbers("posterior_low", plo);
    t.numbers("posterior_high", phi);
}

void print_results(const CalibrationSpec& spec, const analysis::AbcResult& r,
                   const analysis::PosteriorSummary& post) {
    const auto& final_gen = r.posterior();
    const auto& best = final_gen.particles[post.best];
    std::printf("\n%-34s %22s %30s %10s %11s\n", "parameter", "prior", "posterior median [95%]",
                "best", "contraction");
    for (std::size_t k = 0; k < spec.prior.size(); ++k)
        std::printf("%-34s %22s %30s %10s %11.2f\n", spec.prior.names[k].c_str(),
                    bracket(spec.prior.low[k], spec.prior.high[k]).c_str(),
                    (fixed(post.median[k]).append(" ") + bracket(post.low[k], post.high[k])).c_str(),
                    fixed(best.theta[k]).c_str(), post.contraction[k]);
    std::vector<double> w;
    for (const auto& p : final_gen.particles) w.push_back(p.weight);
    std::printf("\n%-34s %-8s %20s %10s %24s %7s\n", "target", "period", "accepted", "best",
                "posterior 95%", "within");
    for (std::size_t k = 0; k < spec.targets.size(); ++k) {
        const auto& t = spec.targets[k];
        std::vector<double> v;
        for (const auto& p : final_gen.particles) v.push_back(p.outputs[k]);
        const double e = analysis::normalised_error(t, best.outputs[k]);
        std::printf("%-34s %-8s %20s %10s %24s %7s\n", t.name.c_str(), t.period.c_str(),
                    t.fitted ? bracket(t.low, t.high).c_str()
                             : std::string("context ").append(fixed(t.value)).c_str(),
                    fixed(best.outputs[k]).c_str(),
                    bracket(analysis::weighted_quantile(v, w, 0.025),
                            analysis::weighted_quantile(v, w, 0.975)).c_str(),
                    !t.fitted ? "-" : std::abs(e) <= 1 ? "yes" : "NO");
    }
    std::printf("\n# Best fit (distance %.3g) of %s, for %s:\n", best.distance,
                spec.file.string().c_str(), spec.scenario_file.string().c_str());
    std::string group;
    for (std::size_t k = 0; k < spec.prior.size(); ++k) {
        const auto& key = spec.prior.names[k];
        const auto dot = key.find('.');
        if (key.substr(0, dot) != group) std::printf("[%s]\n", (group = key.substr(0, dot)).c_str());
        std::printf("%s = %.4g\n", key.substr(dot + 1).c_str(), best.theta[k]);
    }
}

} // namespace

int calibrate_command(const CalibrateOptions& o) {
    CalibrationSpec spec;
    try {
        spec = load_calibration(o.file);
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (o.particles) spec.abc.particles = *o.particles;
    if (o.generations) spec.abc.generations = *o.generations;
    if (o.replications) spec.replications = *o.replications;
    if (o.scale) spec.scale = *o.scale;
    if (o.seed) spec.seed = *o.seed, spec.abc.seed = *o.seed ^ 0x9e3779b97f4a7c15ull;
    const fs::path out = !o.out.empty() ? o.out : fs::path("outputs") / ("calibration-" + spec.name + ".h5");
    std::unique_ptr<ResultsFile> file;
    try {
        file = std::make_unique<ResultsFile>(out);
    } catch (const OutputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    install_stop_handlers();
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    Progress progress({o.quiet, o.log_json}, "calibrate", "parameter sets", 0);
    char text[512];
    std::snprintf(text, sizeof text,
                  "calibrating %zu parameters of %s to %zu targets: %s, %d particles, %d "
                  "generations, %d replications at scale %g, seed %llu",
                  spec.prior.size(), spec.scenario_file.string().c_str(), spec.targets.size(),
                  spec.abc.method == AbcSettings::Method::smc ? "ABC-SMC" : "rejection ABC",
                  spec.abc.particles,
                  spec.abc.method == AbcSettings::Method::smc ? spec.abc.generations : 1,
                  spec.replications, spec.scale, static_cast<unsigned long long>(spec.seed));
    progress.start(text, {{"parameters", spec.prior.size()}, {"targets", spec.targets.size()},
                          {"particles", spec.abc.particles}, {"replications", spec.replications},
                          {"scale", spec.scale}});
    analysis::AbcResult result;
    try {
        result = calibrate(
            spec, o.threads, [] { return stop_requested(); },
            [&](const analysis::Generation& g, int index) {
                double best = INFINITY;
                for (const auto& p : g.particles) best = std::min(best, p.distance);
                char line[256];
                std::snprintf(line, sizeof line,
                              "generation %d: tolerance %-8s accepted %zu of %ld candidates "
                              "(%.0f%%), best distance %.3g, elapsed %s",
                              index, fixed(g.epsilon).c_str(), g.particles.size(), g.candidates,
                              100 * g.acceptance(), best, duration_text(elapsed()).c_str());
                progress.message(line);
                progress.event("generation",
                               {{"generation", index}, {"tolerance", g.epsilon},
                                {"accepted", g.particles.size()}, {"candidates", g.candidates},
                                {"best_distance", best}});
                return true;
            },
            [&](long evaluated) {
                progress.update(static_cast<std::size_t>(evaluated), static_cast<double>(evaluated));
            });
    } catch (const Interrupted&) {
        progress.finish("interrupted");
        std::cerr << "pbsim: interrupted; no output written (" << out.string()
                  << " left as it was)\n";
        return kExitInterrupted;
    } catch (const std::exception& e) {
        progress.finish("failed");
        std::cerr << "pbsim: calibration failed: " << e.what() << "\n";
        return kExitFailure;
    }
    const auto post = analysis::summarise(result.posterior(), spec.prior);
    try {
        write_results(*file, spec, result, post, o);
        file->commit();
        progress.finish("complete", "", {{"out", out.string()}, {"evaluations", result.evaluations}});
    } catch (const OutputError& e) {
        progress.finish("failed");
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitFailure;
    }
    if (!o.quiet) print_results(spec, result, post);
    std::printf("wrote %s: %zu generations, %ld parameter sets simulated (%s), in %s\n",
                out.string().c_str(), result.generations.size(), result.evaluations,
                result.stop_reason.c_str(), duration_text(elapsed()).c_str());
    return kExitOk;
}

} // namespace pbsim::runner

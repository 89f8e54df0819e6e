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

std::vector<std::vector<double>> model_outputs(const CalibrationSpec& spec,
                                               const std::vector<std::vector<double>>& thetas,
                                               int threads, const std::function<bool()>& stop) {
    std::vector<Scenario> scenarios;
    for (const auto& theta : thetas) {
        Scenario s = spec.scenario;
        for (std::size_t k = 0; k < spec.prior.size(); ++k)
            set_parameter(s, spec.free[k], theta[k]);
        scenarios.push_back(std::move(s));
    }
    const auto& column = spec.output_columns;
    const std::size_t K = spec.outputs.size(), R = static_cast<std::size_t>(spec.replications);
    std::vector<double> values(thetas.size() * R * K);
    const RunPlan plan{std::move(scenarios), spec.replications, spec.seed, spec.scale};
    Job job = simulation_job(
        plan, K, [&](std::size_t run, ReplicationResult& res, std::vector<double>& record) {
            const auto summary = summarise(res, plan.variants[plan.variant(run)], spec.scale);
            for (std::size_t k = 0; k < K; ++k)
                record[k] = summary[column[k]].value;
        });
    Cluster one_process = Cluster::local();
    Progress quiet({true, false}, "calibrate", "runs", plan.runs());
    Executor executor(one_process);
    const ExecOutcome outcome = executor.run(
        job, {threads, {}, false, stop}, quiet, [&](std::size_t run, std::vector<double>&& record) {
            std::copy(record.begin(), record.end(), values.begin() + static_cast<long>(run * K));
        });
    if (outcome.status == ExecOutcome::Status::interrupted || (stop && stop())) throw Interrupted{};
    if (!outcome.ok()) throw std::runtime_error(outcome.message);
    std::vector<std::vector<double>> out(thetas.size(), std::vector<double>(K, 0.0));
    for (std::size_t s = 0; s < thetas.size(); ++s)
        for (std::size_t r = 0; r < R; ++r) // summed in replication order: thread-independent
            for (std::size_t k = 0; k < K; ++k)
                out[s][k] += values[(s * R + r) * K + k] / R;
    return out;
}

double target_distance(const CalibrationSpec& spec, const std::vector<double>& outputs) {
    std::vector<double> errors;
    for (std::size_t k = 0; k < spec.targets.size(); ++k)
        if (spec.targets[k].fitted)
            errors.push_back(analysis::normalised_error(spec.targets[k], outputs[k]));
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
            for (const auto& o : outputs)
                out.push_back({target_distance(spec, o), o});
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
    f.attribute("/", "method",
                std::string(spec.abc.method == AbcSettings::Method::smc ? "abc-smc" : "rejection"));
    f.attribute("/", "particles", static_cast<std::int32_t>(spec.abc.particles));
    f.attribute("/", "stop_reason", r.stop_reason);
    f.attribute("/", "evaluations", static_cast<std::int32_t>(r.evaluations));
    f.attribute("/", "distance",
                std::string("root mean square over fitted targets of the error in "
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
    for (const auto& p : final_gen.particles)
        w.push_back(p.weight);
    for (std::size_t k = 0; k < K; ++k) {
        const double e = analysis::normalised_error(spec.targets[k], best.outputs[k]);
        errors.push_back(e);
        within.push_back(std::abs(e) <= 1.0);
        std::vector<double> v;
        for (const auto& p : final_gen.particles)
            v.push_back(p.outputs[k]);
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
        std::printf(
            "%-34s %22s %30s %10s %11.2f\n", spec.prior.names[k].c_str(),
            bracket(spec.prior.low[k], spec.prior.high[k]).c_str(),
            (fixed(post.median[k]).append(" ") + bracket(post.low[k], post.high[k])).c_str(),
            fixed(best.theta[k]).c_str(), post.contraction[k]);
    std::vector<double> w;
    for (const auto& p : final_gen.particles)
        w.push_back(p.weight);
    std::printf("\n%-34s %-8s %20s %10s %24s %7s\n", "target", "period", "accepted", "best",
                "posterior 95%", "within");
    for (std::size_t k = 0; k < spec.targets.size(); ++k) {
        const auto& t = spec.targets[k];
        std::vector<double> v;
        for (const auto& p : final_gen.particles)
            v.push_back(p.outputs[k]);
        const double e = analysis::normalised_error(t, best.outputs[k]);
        std::printf("%-34s %-8s %20s %10s %24s %7s\n", t.name.c_str(), t.period.c_str(),
                    t.fitted ? bracket(t.low, t.high).c_str()
                             : std::string("context ").append(fixed(t.value)).c_str(),
                    fixed(best.outputs[k]).c_str(),
                    bracket(analysis::weighted_quantile(v, w, 0.025),
                            analysis::weighted_quantile(v, w, 0.975))
                        .c_str(),
                    !t.fitted          ? "-"
                    : std::abs(e) <= 1 ? "yes"
                                       : "NO");
    }
    // The point estimate the baseline takes: each parameter's weighted
    // posterior median (the best particle sits on the ridge's edge, and of
    // posterior draws often has the worst trajectory; docs/calibration.md).
    std::printf("\n# Posterior point estimate (weighted median of each parameter) of %s, for "
                "%s:\n",
                spec.file.string().c_str(), spec.scenario_file.string().c_str());
    std::string group;
    for (std::size_t k = 0; k < spec.prior.size(); ++k) {
        const auto& ref = spec.free[k];
        const std::string key(parameter_registry()[ref.id].key);
        const auto dot = key.find('.');
        if (key.substr(0, dot) != group)
            std::printf("[%s]\n", (group = key.substr(0, dot)).c_str());
        if (ref.point)
            std::printf("# %s: the point \"%s\" = %.4g\n", key.substr(dot + 1).c_str(),
                        ref.point->to_string().c_str(), post.median[k]);
        else
            std::printf("%s = %.4g\n", key.substr(dot + 1).c_str(), post.median[k]);
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
    const fs::path out =
        !o.out.empty() ? o.out : fs::path("outputs") / ("calibration-" + spec.name + ".h5");
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
    progress.start(text, {{"parameters", spec.prior.size()},
                          {"targets", spec.targets.size()},
                          {"particles", spec.abc.particles},
                          {"replications", spec.replications},
                          {"scale", spec.scale}});
    analysis::AbcResult result;
    try {
        result = calibrate(
            spec, o.threads, [] { return stop_requested(); },
            [&](const analysis::Generation& g, int index) {
                double best = INFINITY;
                for (const auto& p : g.particles)
                    best = std::min(best, p.distance);
                char line[256];
                std::snprintf(line, sizeof line,
                              "generation %d: tolerance %-8s accepted %zu of %ld candidates "
                              "(%.0f%%), best distance %.3g, elapsed %s",
                              index, fixed(g.epsilon).c_str(), g.particles.size(), g.candidates,
                              100 * g.acceptance(), best, duration_text(elapsed()).c_str());
                progress.message(line);
                progress.event("generation", {{"generation", index},
                                              {"tolerance", g.epsilon},
                                              {"accepted", g.particles.size()},
                                              {"candidates", g.candidates},
                                              {"best_distance", best}});
                return true;
            },
            [&](long evaluated) {
                progress.update(static_cast<std::size_t>(evaluated),
                                static_cast<double>(evaluated));
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
        progress.finish("complete", "",
                        {{"out", out.string()}, {"evaluations", result.evaluations}});
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

#include "runner/experiments/trial.hpp"

#include "runner/exec/cluster.hpp"
#include "runner/exec/estimate.hpp"
#include "runner/exec/executor.hpp"
#include "runner/exec/job_steps.hpp"
#include "runner/exec/journal.hpp"
#include "runner/experiments/run.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/input/toml_util.hpp"
#include "runner/output/trial_output.hpp"
#include "runner/output/version.hpp"

#include <oneapi/tbb/info.h>

#include "model/population.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

void write_results(TrialOutput& out, const TrialSpec& spec,
                   const std::vector<std::vector<TrialResult>>& all,
                   const std::vector<DesignSummary>& designs) {
    const std::size_t D = designs.size(), T = all.size();
    // Names, units and descriptions: layout::trial_designs and trial_trials.
    auto per_design = [&](const char* name, auto get) {
        std::vector<double> v;
        for (const auto& d : designs)
            v.push_back(get(d));
        out.design(name, v);
    };
    per_design("clusters_per_arm", [](auto& d) { return double(d.clusters_per_arm); });
    per_design("participants_per_cluster",
               [](auto& d) { return double(d.participants_per_cluster); });
    per_design("mean_cluster_size", [](auto& d) { return d.mean_cluster_size; });
    per_design("power", [](auto& d) { return d.power.share; });
    per_design("power_ci_low", [](auto& d) { return d.power.ci_low; });
    per_design("power_ci_high", [](auto& d) { return d.power.ci_high; });
    per_design("effect", [](auto& d) { return d.effect; });
    per_design("control", [](auto& d) { return d.control; });
    per_design("intervention", [](auto& d) { return d.intervention; });
    per_design("icc", [](auto& d) { return d.icc; });
    per_design("icc_low", [](auto& d) { return d.icc_low; });
    per_design("icc_high", [](auto& d) { return d.icc_high; });
    per_design("design_effect", [](auto& d) { return d.design_effect; });
    per_design("uptake_intervention", [](auto& d) { return d.uptake[1]; });
    per_design("uptake_control", [](auto& d) { return d.uptake[0]; });
    per_design("cost_intervention", [](auto& d) { return d.cost[1]; });
    per_design("cost_control", [](auto& d) { return d.cost[0]; });
    per_design("type_one_error", [](auto& d) { return d.type_one_error.share; });
    for (std::size_t q = 0; q < spec.secondary.size(); ++q) {
        const std::string name = spec.secondary[q];
        std::vector<double> e, p;
        for (const auto& d : designs)
            e.push_back(d.secondary_effect[q]), p.push_back(d.secondary_power[q].share);
        out.design("secondary_" + name + "_effect", e);
        out.design("secondary_" + name + "_power", p);
    }
    auto per_trial = [&](const char* name, auto get) {
        std::vector<double> v(D * T);
        for (std::size_t d = 0; d < D; ++d)
            for (std::size_t t = 0; t < T; ++t)
                v[d * T + t] = get(all[t][d]);
        out.trial(name, v);
    };
    per_trial("effect", [](const TrialResult& r) { return r.primary.effect; });
    per_trial("ci_low", [](const TrialResult& r) { return r.primary.ci_low; });
    per_trial("ci_high", [](const TrialResult& r) { return r.primary.ci_high; });
    per_trial("p_value", [](const TrialResult& r) { return r.primary.p_value; });
    per_trial("control", [](const TrialResult& r) { return r.primary.control; });
    per_trial("intervention", [](const TrialResult& r) { return r.primary.intervention; });
    per_trial("icc", [](const TrialResult& r) { return r.icc.icc; });
    per_trial("icc_ci_low", [](const TrialResult& r) { return r.icc.ci_low; });
    per_trial("icc_ci_high", [](const TrialResult& r) { return r.icc.ci_high; });
    per_trial("mean_cluster_size", [](const TrialResult& r) { return r.mean_cluster_size; });
    per_trial("uptake_intervention", [](const TrialResult& r) { return r.uptake[1]; });
    per_trial("uptake_control", [](const TrialResult& r) { return r.uptake[0]; });
    per_trial("cost_intervention", [](const TrialResult& r) { return r.cost[1]; });
    per_trial("cost_control", [](const TrialResult& r) { return r.cost[0]; });
    per_trial("null_p_value", [](const TrialResult& r) { return r.null_p; });
}

} // namespace

int trial_command(const TrialOptions& o) {
    TrialSpec spec;
    Scenario base;
    try {
        spec = load_trial(o.file);
        if (o.trials > 0) spec.trials = o.trials;
        if (o.scale > 0) spec.scale = o.scale;
        base = spec.base.scenario;
        if (o.follow_up > 0) {
            spec.follow_up_months = o.follow_up;
            if (spec.follow_up_end() > base.end)
                throw ScenarioError("--follow-up " + std::to_string(o.follow_up) +
                                    ": follow-up from " + spec.recruitment.to_string() +
                                    " would end after the scenario (" + base.end.to_string() +
                                    "): accepted at most " +
                                    std::to_string(base.end - spec.recruitment + 1) + " months");
        }
        if (!o.settings.empty()) apply_settings(base, o.settings, "--set");
        base.end = spec.follow_up_end(); // nothing after follow-up is needed
        if (const int units = count_clusters(spec, base, spec.scale);
            2 * spec.clusters_per_arm.back() > units)
            throw ScenarioError(too_few_clusters(spec, units, spec.scale));
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    const fs::path out_path = !o.out.empty() ? o.out : fs::path("outputs") / (spec.name + ".h5");

    TrialProvenance prov;
    prov.pbsim_version = kVersion;
    prov.source_revision = kSourceRevision;
    prov.trial_file = o.file.string();
    prov.trial_text = spec.text;
    prov.trial_resolved = to_toml(spec);
    prov.scenario_toml =
        to_toml(base, "Base scenario (both arms) resolved by pbsim " + std::string(kVersion) +
                          " from " + spec.base.file.string());
    prov.seed = o.seed;
    prov.trials = spec.trials;
    prov.scale = spec.scale;
    prov.created_utc = utc_now();
    prov.command_line = o.command_line;
    JobShape shape;
    shape.runs = static_cast<std::size_t>(spec.trials);
    shape.users = simulated_users(base, spec.scale);
    const int months_per_trial =
        (spec.recruitment - base.start) +
        spec.follow_up_months * static_cast<int>(spec.clusters_per_arm.size() + spec.null_check);
    shape.agent_months = static_cast<double>(shape.users) * months_per_trial;
    shape.worlds_per_run = 2 + (spec.null_check ? 1 : 0); // history, an arm, the null world
    shape.threads = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
    shape.record_values = trial_record_size(spec);
    shape.kept_values = trial_record_size(spec);
    shape.output_bytes_per_run = 8.0 * static_cast<double>(trial_record_size(spec));
    const JobSize size = estimate(shape);
    // Sizing on rank 0 only, after every rank has joined the job.
    Cluster cluster;
    const bool root = cluster.root();
    if (o.dry_run) {
        if (root)
            std::printf("trial '%s': %d simulated trials x %zu designs of %ld users (scale %g), "
                        "into %s\nestimate: %s\n",
                        spec.name.c_str(), spec.trials,
                        spec.clusters_per_arm.size() * spec.participants_per_cluster.size(),
                        shape.users, spec.scale, out_path.string().c_str(), size.text().c_str());
        return kExitOk;
    }

    std::unique_ptr<TrialOutput> output;
    int status = root ? refuse_if_too_large(size, out_path, o.force) : kExitOk;
    if (root && status == kExitOk) {
        clear_stale_temporaries(out_path, o.quiet);
        try {
            output = std::make_unique<TrialOutput>(out_path, prov);
        } catch (const OutputError& e) {
            std::cerr << "pbsim: " << e.what() << "\n";
            status = kExitBadInput;
        }
    }
    if (const int all = cluster.broadcast(status); all != kExitOk) return all;

    // One task per simulated trial; its record is every design's analysis.
    Job job;
    job.tasks = static_cast<std::size_t>(spec.trials);
    job.record_size = trial_record_size(spec);
    job.ticks_per_task = months_per_trial;
    const std::string identity =
        std::string(kVersion) + "\n" + kSourceRevision + "\ntrial " + spec.text + "\n" +
        to_toml(spec) + "\n" + to_toml(base) + "\n" + std::to_string(o.seed) + " " +
        format_number(spec.scale) + " " + std::to_string(spec.trials) + " " +
        std::to_string(spec.follow_up_months) + " " + std::to_string(shape.users);
    job.fingerprint = fnv1a(identity.data(), identity.size());
    job.compute = [&](std::size_t j, std::vector<double>& record,
                      const std::function<bool()>& tick) {
        const auto results =
            simulate_trial(spec, base, o.seed, static_cast<std::uint32_t>(j), spec.scale, tick);
        if (!results.empty()) encode_trial(results, record);
    };

    install_stop_handlers();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::vector<TrialResult>> results(spec.trials);
    Progress progress({o.quiet || !root, o.log_json && root}, "trial " + spec.name, "trials",
                      job.tasks);
    progress.start(
        "trial " + spec.name + ": " + std::to_string(spec.trials) + " simulated trials, " +
            size.text(),
        {{"estimate", estimate_fields(size)},
         {"trials", spec.trials},
         {"designs", spec.clusters_per_arm.size() * spec.participants_per_cluster.size()},
         {"scale", spec.scale},
         {"out", out_path.string()}});
    Executor executor(cluster);
    const ExecOutcome outcome =
        executor.run(job, {o.threads, journal_path(out_path), o.resume}, progress,
                     [&](std::size_t j, std::vector<double>&& record) {
                         results[j] = decode_trial(spec, record);
                     });
    if (!root) return cluster.broadcast(outcome.exit_code());
    if (!outcome.ok()) {
        output.reset(); // removes the temporary file
        return cluster.broadcast(report_unfinished(outcome, progress, executor, job.tasks,
                                                   "simulated trials", out_path));
    }
    try {
        std::vector<DesignSummary> designs;
        for (std::size_t d = 0; d < results.front().size(); ++d)
            designs.push_back(summarise_design(spec, results, d));
        write_results(*output, spec, results, designs);
        output->commit();
        executor.discard_journal();
        progress.finish("complete", "", {{"out", out_path.string()}, {"resumed", outcome.resumed}});
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!o.quiet || o.markdown) print_table(spec, designs, o.markdown);
        std::printf("%swrote %s: trial '%s', %zu designs x %d simulated trials, scale %g, seed "
                    "%llu, in %.1f s\n",
                    o.markdown ? "\n" : "", out_path.string().c_str(), spec.name.c_str(),
                    designs.size(), spec.trials, spec.scale,
                    static_cast<unsigned long long>(o.seed), seconds);
    } catch (const std::exception& e) {
        return cluster.broadcast(
            report_write_failure(e.what(), progress, executor, "simulated trials"));
    }
    return cluster.broadcast(kExitOk);
}

} // namespace pbsim::runner

#include "runner/experiments/sweep.hpp"

#include "model/metrics.hpp"
#include "model/population.hpp"
#include "model/summary.hpp"
#include "runner/exec/clock.hpp"
#include "runner/exec/cluster.hpp"
#include "runner/exec/estimate.hpp"
#include "runner/exec/executor.hpp"
#include "runner/exec/job_steps.hpp"
#include "runner/exec/plan.hpp"
#include "runner/exec/status.hpp"
#include "runner/exec/stop.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/input/toml_util.hpp"
#include "runner/output/run_output.hpp"
#include "runner/output/sweep_output.hpp"
#include "runner/output/version.hpp"

#include <oneapi/tbb/info.h>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// Everything that determines the results: a journal is only resumed by the
// sweep that wrote it.
std::uint64_t fingerprint(const Sweep& s, const analysis::Matrix& values,
                          const std::vector<SummaryValue>& columns) {
    std::string text = std::string(kVersion) + "\n" + kSourceRevision + "\n" + to_toml(s.base) +
                       "\n" + std::string(analysis::design_name(s.design)) + "\n" +
                       std::to_string(s.replications) + " " + std::to_string(s.seed) + " " +
                       format_number(s.scale) + " " + (s.timeseries ? "timeseries" : "summary") +
                       "\n";
    for (const auto& f : s.factors) {
        text.append(f.factor.key);
        if (f.from) text.append("@").append(f.from->to_string());
        text.append("\n");
    }
    for (const auto& c : columns)
        text += c.name + "\n";
    return fnv1a(values.values.data(), values.values.size() * sizeof(double),
                 fnv1a(text.data(), text.size()));
}

// One run's journal record: its summary values, then (optionally) the
// national series of every metric, metric by metric.
std::vector<double> record(const ReplicationResult& result, const Scenario& scenario, double scale,
                           bool timeseries) {
    std::vector<double> values;
    for (const auto& v : summarise(result, scenario, scale))
        values.push_back(v.value);
    if (timeseries)
        for (std::size_t k = 0; k < kMetricCount; ++k)
            for (int t = 0; t < result.months; ++t)
                values.push_back(result.national(static_cast<Metric>(k), t));
    return values;
}

} // namespace

int sweep_command(const SweepOptions& o) {
    Cluster cluster;
    const bool root = cluster.root();
    auto say = [&](const std::string& message) {
        if (root) std::cerr << "pbsim: " << message << "\n";
    };

    Sweep sweep;
    try {
        sweep = load_sweep(o.file, o.overrides);
    } catch (const ScenarioError& e) {
        say(e.what());
        return kExitBadInput;
    }
    const analysis::Matrix unit = unit_design(sweep);
    const std::size_t P = unit.rows, K = sweep.factors.size();
    const auto R = static_cast<std::size_t>(sweep.replications);
    analysis::Matrix values(P, K);
    std::vector<Scenario> scenarios;
    for (std::size_t p = 0; p < P; ++p) {
        const auto v = point_values(sweep, unit, p);
        for (std::size_t j = 0; j < K; ++j)
            values(p, j) = v[j];
        scenarios.push_back(point_scenario(sweep, v));
    }
    const std::vector<SummaryValue> columns =
        summarise(ReplicationResult{}, sweep.base, sweep.scale);
    const std::size_t C = columns.size();
    const auto M = static_cast<std::size_t>(sweep.base.months());
    const std::size_t per_run = C + (sweep.timeseries ? kMetricCount * M : 0);
    const std::size_t runs = P * R;
    const fs::path out =
        !o.out.empty() ? o.out : fs::path("outputs") / (o.file.stem().string() + ".h5");

    JobShape shape;
    shape.runs = runs;
    shape.users = simulated_users(sweep.base, sweep.scale);
    shape.agent_months = static_cast<double>(shape.users) * static_cast<double>(M);
    shape.threads = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
    shape.record_values = per_run;
    shape.kept_values = per_run;
    shape.output_bytes_per_run = 8.0 * static_cast<double>(per_run);
    shape.fixed_bytes = 8e3 * static_cast<double>(P); // a resolved scenario per point
    const JobSize size = estimate(shape);
    if (o.dry_run) {
        if (root)
            std::printf("sweep: %s design, %zu parameters, %zu points x %zu replications = %zu "
                        "runs of %ld users x %zu months (scale %g), into %s\nestimate: %s per "
                        "process\n",
                        std::string(analysis::design_name(sweep.design)).c_str(), K, P, R, runs,
                        shape.users, M, sweep.scale, out.string().c_str(), size.text().c_str());
        return kExitOk;
    }
    int status = root ? refuse_if_too_large(size, out, o.force) : kExitOk;
    if (root && status == kExitOk) clear_stale_temporaries(out, o.quiet);
    if (root && status == kExitOk) {
        try {
            check_output_path(out);
        } catch (const OutputError& e) {
            say(e.what());
            status = kExitBadInput;
        }
    }
    if (const int all = cluster.broadcast(status); all != kExitOk) return all;

    const RunPlan plan{std::move(scenarios), sweep.replications, sweep.seed, sweep.scale};
    std::vector<std::vector<double>> results(runs);
    Job job = simulation_job(
        plan, per_run,
        [&](std::size_t run, ReplicationResult& result, std::vector<double>& out_record) {
            out_record =
                record(result, plan.variants[plan.variant(run)], sweep.scale, sweep.timeseries);
        });
    job.fingerprint = fingerprint(sweep, values, columns);

    install_stop_handlers();
    const auto started = Clock::now();
    Progress progress({o.quiet || !root, o.log_json && root}, "sweep", "runs", runs);
    progress.start("sweep: " + std::string(analysis::design_name(sweep.design)) + " design, " +
                       std::to_string(P) + " points x " + std::to_string(R) + " replications (" +
                       std::to_string(runs) + " runs), " + std::to_string(cluster.size()) +
                       " process(es), " + size.text(),
                   {{"estimate", estimate_fields(size)},
                    {"points", P},
                    {"replications", R},
                    {"ranks", cluster.size()}});
    Executor executor(cluster);
    const ExecOutcome outcome = executor.run(
        job, {o.threads, journal_path(out), o.resume}, progress,
        [&](std::size_t run, std::vector<double>&& v) { results[run] = std::move(v); });
    const std::size_t already = outcome.resumed;
    if (!outcome.ok())
        return cluster.broadcast(
            root ? report_unfinished(outcome, progress, executor, runs, "runs", out)
                 : outcome.exit_code());

    if (root) {
        {
            SweepProvenance prov;
            prov.pbsim_version = kVersion;
            prov.source_revision = kSourceRevision;
            prov.sweep_file = o.file.string();
            prov.sweep_toml = sweep.text;
            prov.base_scenario_file = sweep.base_file.string();
            prov.base_scenario_toml = to_toml(
                sweep.base, "Base scenario of the sweep, resolved by pbsim " +
                                std::string(kVersion) + " from " + sweep.base_file.string());
            prov.design = std::string(analysis::design_name(sweep.design));
            prov.design_size = sweep.points;
            prov.levels = sweep.design == analysis::DesignKind::morris ? sweep.levels : 0;
            prov.seed = sweep.seed;
            prov.replications = sweep.replications;
            prov.scale = sweep.scale;
            prov.start_month = sweep.base.start.to_string();
            prov.months = sweep.base.months();
            prov.created_utc = utc_now();
            prov.command_line = o.command_line;
            prov.mpi_ranks = cluster.size();

            SweepResults res;
            for (const auto& f : sweep.factors)
                res.factors.push_back({f.factor.key, f.unit, f.factor.low, f.factor.high,
                                       f.factor.values, f.from ? f.from->to_string() : ""});
            res.unit = unit;
            res.values = values;
            res.columns = columns;
            res.summary.resize(C * runs);
            for (std::size_t run = 0; run < runs; ++run)
                for (std::size_t c = 0; c < C; ++c)
                    res.summary[c * runs + run] = results[run][c];
            res.timeseries = sweep.timeseries;
            for (int t = 0; t < sweep.base.months(); ++t)
                res.month_labels.push_back((sweep.base.start + t).to_string());
            if (sweep.timeseries) {
                res.series.resize(kMetricCount * runs * M);
                for (std::size_t run = 0; run < runs; ++run)
                    for (std::size_t k = 0; k < kMetricCount; ++k)
                        std::copy_n(results[run].begin() + static_cast<long>(C + k * M), M,
                                    res.series.begin() + static_cast<long>((k * runs + run) * M));
            }
            try {
                write_sweep_file(out, prov, res);
                executor.discard_journal();
                const double seconds =
                    std::chrono::duration<double>(Clock::now() - started).count();
                progress.finish("complete", "", {{"out", out.string()}, {"resumed", already}});
                std::printf("wrote %s: %s design, %zu parameters, %zu points x %zu replication%s "
                            "(%zu runs, %zu resumed from the journal), seed %llu, scale %g, %d "
                            "process%s, in %.1f s\n",
                            out.string().c_str(), prov.design.c_str(), K, P, R, R == 1 ? "" : "s",
                            runs, already, static_cast<unsigned long long>(sweep.seed), sweep.scale,
                            cluster.size(), cluster.size() == 1 ? "" : "es", seconds);
                if (!o.quiet)
                    std::printf("next: pbsim sensitivity %s --output uptake_share_2014_12\n",
                                out.string().c_str());
            } catch (const OutputError& e) {
                status = report_write_failure(e.what(), progress, executor, "runs");
            }
        }
    }
    return cluster.broadcast(status);
}

} // namespace pbsim::runner

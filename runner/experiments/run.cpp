#include "runner/experiments/run.hpp"

#include "model/metrics.hpp"
#include "model/population.hpp"
#include "runner/exec/cluster.hpp"
#include "runner/exec/estimate.hpp"
#include "runner/exec/executor.hpp"
#include "runner/exec/job_steps.hpp"
#include "runner/exec/journal.hpp"
#include "runner/exec/plan.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/input/toml_util.hpp"
#include "runner/output/run_output.hpp"
#include "runner/output/version.hpp"

#include <oneapi/tbb/info.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> month_labels(const Scenario& s) {
    std::vector<std::string> labels;
    for (int t = 0; t < s.months(); ++t)
        labels.push_back((s.start + t).to_string());
    return labels;
}

void print_summary(const std::vector<std::vector<SummaryValue>>& rows) {
    const char* shown[] = {"uptake_share_2008_12", "uptake_share_2012_03", "uptake_share_2014_12",
                           "uptake_share_end",     "pb_holders_end",       "crises_total",
                           "admissions_total",     "bed_days_total",       "cost_total_discounted",
                           "qalys_discounted"};
    std::printf("%-26s %16s %16s %16s\n", "summary (national)", "mean", "min", "max");
    for (const char* name : shown) {
        double sum = 0, lo = INFINITY, hi = -INFINITY;
        int n = 0;
        for (const auto& row : rows)
            for (const auto& v : row)
                if (v.name == name && std::isfinite(v.value)) {
                    sum += v.value, lo = std::min(lo, v.value), hi = std::max(hi, v.value), ++n;
                }
        if (n == 0) continue;
        std::printf("%-26s %16.6g %16.6g %16.6g\n", name, sum / n, lo, hi);
    }
}

} // namespace

namespace {

// Scenarios run into one file must share the period and the councils.
void check_comparable(const std::vector<LoadedScenario>& loaded, double scale) {
    const Scenario& first = loaded.front().scenario;
    const auto councils = make_councils(first.at(first.start), simulated_users(first, scale));
    std::set<std::string> names{first.name};
    for (std::size_t i = 1; i < loaded.size(); ++i) {
        const Scenario& s = loaded[i].scenario;
        const std::string pair = loaded[i].file.string() + " and " + loaded[0].file.string();
        if (!names.insert(s.name).second)
            throw ScenarioError(loaded[i].file.string() + ": scenario name '" + s.name +
                                "' is used twice in one run; give each a distinct name");
        if (s.start != first.start || s.end != first.end)
            throw ScenarioError(pair + " cover different periods (" + s.start.to_string() + " to " +
                                s.end.to_string() + " vs " + first.start.to_string() + " to " +
                                first.end.to_string() + "); scenarios compared in one run must " +
                                "share start and end");
        const auto other = make_councils(s.at(s.start), simulated_users(s, scale));
        bool same = other.size() == councils.size();
        for (std::size_t c = 0; same && c < councils.size(); ++c)
            same = other[c].user_count == councils[c].user_count &&
                   other[c].dp_culture == councils[c].dp_culture &&
                   other[c].amount_multiplier == councils[c].amount_multiplier &&
                   other[c].crisis_multiplier == councils[c].crisis_multiplier;
        if (!same)
            throw ScenarioError(
                pair + " generate different councils (population.* or council.* "
                       "parameters differ); scenarios compared in one run must share them");
    }
}

// Everything that determines the records: a journal is only resumed by the
// run that wrote it.
std::uint64_t fingerprint(const std::vector<Scenario>& scenarios, const RunOptions& o) {
    std::string text = std::string(kVersion) + "\n" + kSourceRevision + "\nrun " +
                       std::to_string(o.replications) + " " + std::to_string(o.seed) + " " +
                       format_number(o.scale) + " " +
                       std::to_string(simulated_users(scenarios.front(), o.scale)) + " " +
                       std::to_string(kMetricCount) + "\n";
    for (const auto& s : scenarios)
        text += to_toml(s) + "\n";
    return fnv1a(text.data(), text.size());
}

} // namespace

int run_command(const RunOptions& o) {
    std::vector<LoadedScenario> loaded;
    try {
        for (const auto& file : o.scenario_files) {
            loaded.push_back(load_scenario(file));
            if (!o.settings.empty()) apply_settings(loaded.back().scenario, o.settings, "--set");
        }
        check_comparable(loaded, o.scale);
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    std::vector<Scenario> scenarios;
    for (const auto& l : loaded)
        scenarios.push_back(l.scenario);
    const Scenario& first = scenarios.front();
    const fs::path out = !o.out.empty()          ? o.out
                         : scenarios.size() == 1 ? fs::path("outputs") / (first.name + ".h5")
                                                 : fs::path("outputs") / "comparison.h5";

    Provenance prov;
    prov.pbsim_version = kVersion;
    prov.source_revision = kSourceRevision;
    for (const auto& l : loaded)
        prov.scenarios.push_back(
            {l.scenario.name, l.file.string(),
             to_toml(l.scenario, "Resolved scenario written by pbsim " + std::string(kVersion) +
                                     " from " + l.file.string()),
             l.scenario.at(l.scenario.evaluation_from())});
    prov.seed = o.seed;
    prov.replications = o.replications;
    prov.start_month = first.start.to_string();
    prov.months = first.months();
    prov.scale = o.scale;
    prov.created_utc = utc_now();
    prov.command_line = o.command_line;

    const int users = simulated_users(first, o.scale);
    prov.to_national = first.at(first.start).population.users / static_cast<double>(users);
    OutputLayout layout;
    layout.councils = make_councils(first.at(first.start), users);
    layout.month_labels = month_labels(first);
    layout.summary_columns = summarise(ReplicationResult{}, first, o.scale);

    // The size of the job, before anything is written.
    const std::size_t series_values =
        kMetricCount * static_cast<std::size_t>(first.months()) * layout.councils.size();
    JobShape shape;
    shape.runs = scenarios.size() * static_cast<std::size_t>(o.replications);
    shape.agent_months = static_cast<double>(users) * first.months();
    shape.users = users;
    shape.threads = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
    shape.record_values = series_values + layout.summary_columns.size();
    shape.output_bytes_per_run = 8.0 * static_cast<double>(series_values) / 3; // deflate: ~3.5x
    const JobSize size = estimate(shape);
    // Sizing on rank 0 only, after every rank has joined the job.
    Cluster cluster;
    const bool root = cluster.root();
    if (o.dry_run) {
        if (root)
            std::printf("run: %zu scenario(s) x %d replications = %zu runs of %d users x %d months "
                        "(scale %g), seed %llu, into %s\nestimate: %s\n",
                        scenarios.size(), o.replications, shape.runs, users, first.months(),
                        o.scale, static_cast<unsigned long long>(o.seed), out.string().c_str(),
                        size.text().c_str());
        return kExitOk;
    }
    std::unique_ptr<H5Output> output;
    int status = root ? refuse_if_too_large(size, out, o.force) : kExitOk;
    if (root && status == kExitOk) clear_stale_temporaries(out, o.quiet);
    if (root && status == kExitOk) {
        try {
            output = std::make_unique<H5Output>(out, prov, layout);
        } catch (const OutputError& e) {
            std::cerr << "pbsim: " << e.what() << "\n";
            status = kExitBadInput;
        }
    }
    if (const int all = cluster.broadcast(status); all != kExitOk) return all;

    // A record: the replication's raw series (its ReplicationResult values),
    // then its summary row.
    const int n_scenarios = static_cast<int>(scenarios.size());
    const std::size_t series_size =
        kMetricCount * static_cast<std::size_t>(first.months()) * layout.councils.size();
    const std::size_t columns = layout.summary_columns.size();
    const RunPlan plan{scenarios, o.replications, o.seed, o.scale};
    Job job = simulation_job(
        plan, series_size + columns,
        [&](std::size_t run, ReplicationResult& result, std::vector<double>& record) {
            const auto summary = summarise(result, plan.variants[plan.variant(run)], o.scale);
            std::copy(result.values.begin(), result.values.end(), record.begin());
            for (std::size_t c = 0; c < columns; ++c)
                record[series_size + c] = summary[c].value;
        });
    job.fingerprint = fingerprint(scenarios, o);

    install_stop_handlers();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::vector<std::vector<SummaryValue>>> summaries(
        n_scenarios, std::vector<std::vector<SummaryValue>>(o.replications));
    Progress progress({o.quiet || !root, o.log_json && root}, "run", "replications", plan.runs());
    progress.start("run: " + std::to_string(plan.runs()) + " replications (" +
                       std::to_string(n_scenarios) + " scenario(s) x " +
                       std::to_string(o.replications) + "), " + size.text(),
                   {{"estimate", estimate_fields(size)},
                    {"scenarios", n_scenarios},
                    {"replications", o.replications},
                    {"scale", o.scale},
                    {"users", users},
                    {"out", out.string()}});
    Executor executor(cluster);
    const ExecOutcome outcome =
        executor.run(job, {o.threads, journal_path(out), o.resume}, progress,
                     [&](std::size_t run, std::vector<double>&& record) {
                         const int s = static_cast<int>(plan.variant(run));
                         const int r = static_cast<int>(plan.replication(run));
                         auto& summary = summaries[s][r];
                         summary = layout.summary_columns;
                         for (std::size_t c = 0; c < columns; ++c)
                             summary[c].value = record[series_size + c];
                         ReplicationResult result;
                         result.months = first.months();
                         result.councils = static_cast<int>(layout.councils.size());
                         record.resize(series_size);
                         result.values = std::move(record);
                         output->write_replication(s, r, result, summary);
                     });
    if (!root) return cluster.broadcast(outcome.exit_code());
    if (!outcome.ok()) {
        output.reset(); // removes the temporary file
        return cluster.broadcast(
            report_unfinished(outcome, progress, executor, plan.runs(), "replications", out));
    }
    try {
        output->commit();
        executor.discard_journal();
    } catch (const OutputError& e) {
        return cluster.broadcast(
            report_write_failure(e.what(), progress, executor, "replications"));
    }
    progress.finish("complete", "", {{"out", out.string()}, {"resumed", outcome.resumed}});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!o.quiet)
        for (int s = 0; s < n_scenarios; ++s) {
            if (n_scenarios > 1) std::printf("\nscenario '%s'\n", scenarios[s].name.c_str());
            print_summary(summaries[s]);
        }
    std::string names;
    for (const auto& sc : scenarios)
        names += (names.empty() ? "'" : ", '") + sc.name + "'";
    std::printf("wrote %s: %s %s, %d replications x %d months x %zu councils, %d users "
                "(scale %g), seed %llu, in %.1f s\n",
                out.string().c_str(), n_scenarios == 1 ? "scenario" : "scenarios", names.c_str(),
                o.replications, first.months(), layout.councils.size(), users, o.scale,
                static_cast<unsigned long long>(o.seed), seconds);
    return cluster.broadcast(kExitOk);
}

} // namespace pbsim::runner

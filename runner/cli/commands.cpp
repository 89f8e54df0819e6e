// Each pbsim command: its options (through the shared helpers of options.hpp)
// and the call into its logic in runner/experiments or runner/results. The
// table at the end lists them in the order `pbsim --help` shows them.
#include "runner/cli/commands.hpp"

#include "model/parameters.hpp"
#include "runner/cli/docs.hpp"
#include "runner/cli/options.hpp"
#include "runner/cli/scenarios.hpp"
#include "runner/experiments/bench.hpp"
#include "runner/experiments/calibrate.hpp"
#include "runner/experiments/run.hpp"
#include "runner/experiments/sweep.hpp"
#include "runner/experiments/trial.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/results/compare_file.hpp"
#include "runner/results/report.hpp"
#include "runner/results/sensitivity_file.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pbsim::runner::cli {

void describe(CLI::App& command, std::string_view details, std::string_view examples) {
    command.description(command.get_description() + "\n" + std::string(details));
    if (!examples.empty()) command.footer("Examples:\n" + std::string(examples));
}

namespace {

// Warns for each scenario file that loads (with the --set overrides) and runs
// on uncalibrated defaults; a file that does not load is left to the command,
// which reports it.
void warn_if_uncalibrated(const std::vector<std::filesystem::path>& files,
                          const std::vector<std::string>& settings) {
    for (const auto& file : files) {
        try {
            Scenario s = load_scenario(file).scenario;
            apply_settings(s, settings, "--set");
            if (const auto w = uncalibrated_warning(s, file); !w.empty()) std::cerr << w << "\n";
        } catch (const ScenarioError&) {
        }
    }
}

// --- run ----------------------------------------------------------------------

Action setup_run(CLI::App& cmd, const Context& context) {
    describe(
        cmd,
        "Same scenario + seed gives bit-identical datasets for any --threads. Scenarios run\n"
        "together (or with the same seed) share common random numbers: replication r of\n"
        "each is paired, so differences are signal, not noise. Several scenarios go under\n"
        "/scenarios/<name>/ in the file (docs/hdf5-schema.md).",
        "  pbsim run scenarios/baseline.toml --replications 8 --scale 0.1\n"
        "  pbsim run scenarios/dp_support_everywhere.toml --seed 7 --out outputs/dps.h5\n"
        "  pbsim run scenarios/baseline.toml scenarios/crisis_prevention.toml -r 20  # paired\n"
        "  pbsim run scenarios/baseline.toml --set crisis.pb_effect=0.3 --set "
        "policy.active_offer=1@2015-04\n"
        "  pbsim compare outputs/comparison.h5   # then: paired differences, ICER, NMB");
    auto o = std::make_shared<RunOptions>();
    o->command_line = context.command_line;
    cmd.add_option(
           "scenarios", o->scenario_files,
           "Scenario file(s) (TOML), e.g. scenarios/baseline.toml scenarios/crisis_prevention.toml")
        ->required();
    add_replications(cmd, o->replications, "Independent replications");
    add_seed(cmd, o->seed);
    add_threads(cmd, o->threads);
    add_scale(cmd, o->scale,
              "Share of the national population to simulate, e.g. 0.1 (counts in the\n"
              "summary are scaled back up to national figures)");
    add_out(cmd, o->out,
            "Output HDF5 file [default: outputs/<scenario name>.h5, or\n"
            "outputs/comparison.h5 for several scenarios]");
    add_settings(cmd, o->settings);
    add_quiet(cmd, o->quiet);
    add_resume(cmd, o->resume,
               "Continue an interrupted run from OUT.journal (starts afresh if there is none)");
    add_log_json(cmd, o->log_json);
    add_sizing(cmd, o->dry_run, o->force);
    return [o] {
        warn_if_uncalibrated(o->scenario_files, o->settings);
        return run_command(*o);
    };
}

// --- validate -----------------------------------------------------------------

int validate_command(const std::filesystem::path& file, bool print) {
    try {
        const auto loaded = load_scenario(file);
        const auto& s = loaded.scenario;
        if (const auto w = uncalibrated_warning(s, file); !w.empty()) std::cerr << w << "\n";
        int varying = 0;
        for (const auto& t : s.parameters)
            varying += t.varies();
        if (print) {
            std::cout << to_toml(s, "Resolved from " + file.string());
        } else {
            std::cout << file.string() << ": OK: scenario '" << s.name << "', "
                      << s.start.to_string() << " to " << s.end.to_string() << " (" << s.months()
                      << " months), " << s.parameters.size() << " parameters, " << varying
                      << " of them time-varying\n";
        }
        return kExitOk;
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
}

Action setup_validate(CLI::App& cmd, const Context&) {
    describe(cmd,
             "Reports the first problem as one line naming the file, line, key and accepted range.",
             "  pbsim validate scenarios/my_policy.toml\n"
             "  pbsim validate scenarios/my_policy.toml --print > resolved.toml");
    struct State {
        std::filesystem::path file;
        bool print = false;
    };
    auto o = std::make_shared<State>();
    cmd.add_option("scenario", o->file, "Scenario file (TOML)")->required();
    cmd.add_flag("--print", o->print, "Print the fully resolved scenario as TOML");
    return [o] { return validate_command(o->file, o->print); };
}

// --- bench --------------------------------------------------------------------

Action setup_bench(CLI::App& cmd, const Context&) {
    describe(cmd, "Prints both and the scaling between one thread and all cores.",
             "  pbsim bench\n"
             "  pbsim bench scenarios/baseline.toml --scale 0.25 --threads 4");
    auto o = std::make_shared<BenchOptions>();
    cmd.add_option("scenario", o->scenario_file, "Scenario file")
        ->default_str(o->scenario_file.string());
    add_scale(cmd, o->scale, "Population scale");
    add_replications(cmd, o->replications, "Replications on all cores; 0 = two per core", 0);
    add_threads(cmd, o->threads, "Threads; 0 = all cores");
    return [o] { return bench_command(*o); };
}

// --- compare ------------------------------------------------------------------

Action setup_compare(CLI::App& cmd, const Context&) {
    describe(cmd,
             "Paired mean differences with 95% intervals, ICER, net monetary benefit at 20,000\n"
             "and 30,000 per QALY, probability cost-effective, cost per crisis averted. Prints a\n"
             "table and writes /comparison and a CSV next to it. The input is only read: a copy\n"
             "with /comparison is renamed over it (or written to --out), so a failure never\n"
             "damages the run.",
             "  pbsim compare outputs/comparison.h5\n"
             "  pbsim compare outputs/comparison.h5 --out outputs/compared.h5  # input untouched\n"
             "  pbsim compare outputs/comparison.h5 --baseline baseline --at 2018-03");
    auto o = std::make_shared<analysis::CompareOptions>();
    cmd.add_option("file", o->file, "Output of a run of several scenarios")->required();
    cmd.add_option("--baseline", o->baseline,
                   "Scenario to compare with [default: the first in the file]");
    cmd.add_option("-o,--out", o->out,
                   "Write the file with /comparison here instead of replacing the input\n"
                   "(which is never opened for writing either way)");
    cmd.add_option("--csv", o->csv, "CSV file [default: <output stem>-comparison.csv]");
    cmd.add_option("--at", o->at,
                   "Also compare uptake (share and national PB holders) at this month,\n"
                   "YYYY-MM, read from the time series (repeatable)");
    add_quiet(cmd, o->quiet, "Write, but print nothing");
    return [o] { return analysis::compare_command(*o); };
}

// --- report -------------------------------------------------------------------

Action setup_report(CLI::App& cmd, const Context&) {
    describe(cmd,
             "Uptake over time with 95% bands, costs by category, crises and admissions averted,\n"
             "the cost-effectiveness plane and acceptability curves, a league table of councils\n"
             "and the comparison tables. Runs `pbsim compare` first if the file has several\n"
             "scenarios and no /comparison. Needs /usr/bin/python3 with h5py, numpy, scipy and\n"
             "matplotlib (analysis/report.py).",
             "  pbsim report outputs/comparison.h5 --out outputs/report.html\n"
             "  pbsim report outputs/comparison.h5 --screenshot outputs/report.png");
    auto o = std::make_shared<ReportOptions>();
    cmd.add_option("file", o->file, "Output of pbsim run (one or several scenarios)")->required();
    add_out(cmd, o->out, "HTML file [default: <file stem>-report.html]");
    cmd.add_option("--baseline", o->baseline,
                   "Scenario to compare with, if the comparison must be run");
    cmd.add_option("--screenshot", o->screenshot,
                   "Open the report in headless Chromium, check that it loads without\n"
                   "console errors and every figure shows, and save a PNG here");
    return [o] { return report_command(*o); };
}

// --- calibrate ----------------------------------------------------------------

Action setup_calibrate(CLI::App& cmd, const Context& context) {
    describe(
        cmd,
        "The calibration file names the scenario, the targets CSV, each free parameter's\n"
        "prior range and the summary column of each target; every candidate runs the same\n"
        "seeded replications (common random numbers). Writes the accepted parameter sets of\n"
        "every generation, the posterior and the per-target fit to HDF5, and prints them\n"
        "with the best fit as TOML to paste into the scenario. Reproducible from its seed,\n"
        "whatever --threads.",
        "  pbsim calibrate scenarios/calibration/baseline.toml\n"
        "  pbsim calibrate scenarios/calibration/baseline.toml --particles 20 --generations 2");
    auto o = std::make_shared<CalibrateOptions>();
    o->command_line = context.command_line;
    cmd.add_option("file", o->file, "Calibration file (TOML)")->required();
    add_out(cmd, o->out, "Output HDF5 file [default: outputs/calibration-<file stem>.h5]");
    add_threads(cmd, o->threads);
    cmd.add_option_function<int>(
           "--particles", [o](const int& v) { o->particles = v; },
           "Override: particles per generation")
        ->check(whole_number(2, 1000000));
    cmd.add_option_function<int>(
           "--generations", [o](const int& v) { o->generations = v; }, "Override: SMC generations")
        ->check(whole_number(1, 100));
    add_replications(cmd, o->replications, "Override: replications per parameter set", 1, 10000);
    add_scale(cmd, o->scale, "Override: population scale");
    add_seed(cmd, o->seed, "Override: seed");
    add_quiet(cmd, o->quiet, "No progress and no tables");
    add_log_json(cmd, o->log_json,
                 "Progress as JSON lines on stderr (start, each generation, end)");
    return [o] { return calibrate_command(*o); };
}

// --- sweep --------------------------------------------------------------------

Action setup_sweep(CLI::App& cmd, const Context& context) {
    describe(cmd,
             "Every point of a design (grid, lhs, sobol, morris) over the parameters a sweep file\n"
             "varies, each with its replications, as one pool of tasks; one HDF5 file with\n"
             "/design and /summary[point, replication] (docs/sweeps.md). Replication r of every\n"
             "point shares its random numbers. Runs are journalled to OUT.journal as they\n"
             "finish: after Ctrl-C, kill or a crash, the same command with --resume runs only\n"
             "what is missing and writes the same file. Under `mpirun -n K` (built with\n"
             "-DPBSIM_MPI=ON) the runs are shared by K processes and the file is identical.",
             "  pbsim sweep scenarios/sweeps/barriers_sobol.toml\n"
             "  pbsim sweep scenarios/sweeps/barriers_sobol.toml --points 8 --scale 0.02 -o "
             "outputs/quick.h5\n"
             "  pbsim sweep my_sweep.toml --set crisis.pb_effect=0.3 --resume --log-json\n"
             "  mpirun -n 4 build/pbsim sweep scenarios/sweeps/barriers_sobol.toml --threads 2");
    auto o = std::make_shared<SweepOptions>();
    o->command_line = context.command_line;
    cmd.add_option("sweep", o->file, "Sweep file (TOML), e.g. scenarios/sweeps/barriers_sobol.toml")
        ->required();
    cmd.add_option_function<int>(
           "--points", [o](const int& v) { o->overrides.points = v; },
           "Override the file's points (lhs: points; sobol: base sample N, giving\n"
           "N x (k+2) design points; morris: trajectories; grid: levels per range)")
        ->check(whole_number(1, 1000000));
    add_replications(cmd, o->overrides.replications, "Override replications per point");
    add_seed(cmd, o->overrides.seed, "Override the seed (design and runs)");
    add_scale(cmd, o->overrides.scale, "Override the population scale");
    add_settings(cmd, o->overrides.settings,
                 "Fix a parameter of the base scenario: key=value[@YYYY-MM] (repeatable)");
    add_threads(cmd, o->threads, "Worker threads per process; 0 = all cores");
    add_out(cmd, o->out, "Output HDF5 file [default: outputs/<sweep file stem>.h5]");
    add_resume(cmd, o->resume,
               "Continue an interrupted sweep from OUT.journal (starts afresh if there is none)");
    add_log_json(cmd, o->log_json);
    add_sizing(cmd, o->dry_run, o->force);
    add_quiet(cmd, o->quiet, "No progress line");
    return [o] { return sweep_command(*o); };
}

// --- sensitivity --------------------------------------------------------------

Action setup_sensitivity(CLI::App& cmd, const Context&) {
    describe(cmd,
             "Sobol first-order and total indices (sobol design) or Morris mu*, mu and sigma\n"
             "(morris design), each with a bootstrap 95% interval, over the mean of the\n"
             "replications of each point. Prints a table ranked by the index and writes it\n"
             "under /sensitivity/<output> (to a copy renamed over the file, or to --out).",
             "  pbsim sensitivity outputs/barriers_sobol.h5 --output uptake_share_2014_12\n"
             "  pbsim sensitivity outputs/barriers_sobol.h5 --output cost_total_discounted "
             "--bootstrap 2000");
    auto o = std::make_shared<analysis::SensitivityOptions>();
    cmd.add_option("file", o->file, "Output of pbsim sweep (sobol or morris design)")->required();
    cmd.add_option("--output", o->outputs,
                   "Summary column(s) to analyse, e.g. uptake_share_2014_12 (a unique prefix\n"
                   "such as uptake_2014 works too); repeatable [default: uptake_share_2014_12]");
    cmd.add_option("--bootstrap", o->resamples, "Bootstrap resamples for the intervals")
        ->check(whole_number(0, 1000000))
        ->default_val(o->resamples);
    cmd.add_option("-o,--out", o->out,
                   "Write the file with /sensitivity here instead of replacing the input");
    add_quiet(cmd, o->quiet, "Write, but print nothing");
    return [o] { return analysis::sensitivity_command(*o); };
}

// --- trial --------------------------------------------------------------------

Action setup_trial(CLI::App& cmd, const Context& context) {
    describe(cmd,
             "Each simulated trial runs the base scenario to recruitment, randomises councils to\n"
             "intervention or control (the intervention is a set of parameter overrides in\n"
             "intervention councils only, so spillover through peers is simulated), recruits\n"
             "eligible users not holding a budget, follows them up and analyses the primary\n"
             "outcome at cluster level (t-test on log cluster rates, or on cluster means).\n"
             "Prints, per design, the empirical power, the ITT effect, the ICC and design effect,\n"
             "uptake in each arm (control uptake = contamination) and cost per participant,\n"
             "and writes them to HDF5. Same file + seed: same results for any --threads.\n\n"
             "A trial file (TOML; every key in docs/trial.md, with the worked example):\n"
             "  scenario = \"../baseline.toml\"       # base scenario, both arms\n"
             "  clusters_per_arm = [10, 20, 30]     # designs to scan (councils per arm)\n"
             "  participants_per_cluster = 100      # eligible users not holding a budget\n"
             "  recruitment = \"2016-04\"\n"
             "  follow_up_months = 18\n"
             "  primary = \"admissions\"              # or crises, bed_days, qalys, ascot, cost, "
             "uptake\n"
             "  trials = 400                        # simulated trials per design\n"
             "  [intervention]                      # parameter keys, intervention councils only\n"
             "  policy.active_offer = 1",
             "  pbsim trial scenarios/trials/admissions_20pct.toml\n"
             "  pbsim trial scenarios/trials/admissions_20pct.toml --trials 50 --scale 0.25  # "
             "quick look\n"
             "  pbsim trial my_trial.toml --set crisis.pb_effect=0.4 --out outputs/strong.h5\n"
             "  pbsim trial my_trial.toml --follow-up 24 --markdown > table.md  # Markdown table");
    struct State {
        TrialOptions trial;
        std::optional<double> scale;
    };
    auto o = std::make_shared<State>();
    o->trial.command_line = context.command_line;
    TrialOptions& t = o->trial;
    cmd.add_option("trial_file", t.file,
                   "Trial file (TOML), e.g. scenarios/trials/admissions_20pct.toml")
        ->required();
    cmd.add_option("-n,--trials", t.trials, "Simulated trials per design [default: as in the file]")
        ->check(whole_number(1, 1000000));
    add_seed(cmd, t.seed);
    add_threads(cmd, t.threads);
    add_scale(cmd, o->scale,
              "Share of the national population to simulate [default: as in the file]");
    cmd.add_option("--follow-up", t.follow_up, "Follow-up in months [default: as in the file]")
        ->check(whole_number(1, 240));
    add_settings(cmd, t.settings,
                 "Override a base-scenario parameter in both arms: key=value[@YYYY-MM]");
    add_out(cmd, t.out, "Output HDF5 file [default: outputs/<trial name>.h5]");
    cmd.add_flag("--markdown", t.markdown, "Print the power table as Markdown");
    add_quiet(cmd, t.quiet, "No progress line and no table");
    add_resume(cmd, t.resume,
               "Continue interrupted trials from OUT.journal (starts afresh if there is none)");
    add_log_json(cmd, t.log_json);
    add_sizing(cmd, t.dry_run, t.force);
    return [o] {
        if (o->scale) o->trial.scale = *o->scale;
        return trial_command(o->trial);
    };
}

// --- docs ---------------------------------------------------------------------

// `pbsim docs parameter KEY`: one parameter, or the parameters of a group.
int parameter_command(const std::string& key) {
    std::vector<std::string> keys;
    std::string group_list;
    for (const auto& spec : parameter_registry()) {
        keys.emplace_back(spec.key);
        if (spec.key.starts_with(key + ".")) group_list += "  " + std::string(spec.key) + "\n";
    }
    if (const int id = find_parameter(key); id >= 0) {
        std::cout << parameter_text(parameter_registry()[id]);
        return kExitOk;
    }
    if (!group_list.empty()) {
        std::cout << "Parameters of [" << key << "] (pbsim docs parameter " << key << ".NAME):\n"
                  << group_list;
        return kExitOk;
    }
    const std::string near = closest(key, keys);
    std::cerr << "pbsim docs: unknown parameter '" << shown(key) << "'"
              << (near.empty() ? "" : " (did you mean '" + near + "'?)")
              << "; pbsim docs parameters lists them all\n";
    return kExitBadInput;
}

Action setup_docs(CLI::App& cmd, const Context&) {
    describe(cmd,
             "parameters and schema are the files docs/parameters.md and docs/hdf5-schema.md\n"
             "(committed; a test checks they match); parameter KEY prints one parameter of the\n"
             "registry: default, unit, range, whether it may vary by date, description, source.",
             "  pbsim docs parameters > docs/parameters.md\n"
             "  pbsim docs schema\n"
             "  pbsim docs parameter request.base_rate\n"
             "  pbsim docs parameter awareness          # the parameters of a group");
    struct State {
        std::string document, key;
    };
    auto o = std::make_shared<State>();
    cmd.add_option("document", o->document, "parameters | schema | parameter KEY")->required();
    cmd.add_option("key", o->key, "For parameter: a key such as request.base_rate, or a group");
    return [o] {
        const std::vector<std::string> documents{"parameters", "schema", "parameter"};
        if (o->document == "parameter" || (o->document == "parameters" && !o->key.empty())) {
            if (o->key.empty()) {
                std::cerr << "pbsim docs parameter: give a key, e.g. pbsim docs parameter "
                             "request.base_rate\n";
                return kExitBadInput;
            }
            return parameter_command(o->key);
        }
        if (std::find(documents.begin(), documents.end(), o->document) == documents.end()) {
            const std::string near = closest(o->document, documents);
            std::cerr << "pbsim docs: unknown document '" << shown(o->document) << "'"
                      << (near.empty() ? "" : " (did you mean '" + near + "'?)")
                      << "; accepted parameters, schema or parameter KEY\n";
            return kExitBadInput;
        }
        if (!o->key.empty()) {
            std::cerr << "pbsim docs " << o->document
                      << ": takes no key (did you mean pbsim "
                         "docs parameter "
                      << shown(o->key) << "?)\n";
            return kExitBadInput;
        }
        std::cout << (o->document == "parameters" ? parameters_markdown() : schema_markdown());
        return kExitOk;
    };
}

// --- scenarios ----------------------------------------------------------------

Action setup_scenarios(CLI::App& cmd, const Context&) {
    describe(cmd,
             "Lists every scenario file (*.toml) of the folder with its name (the output group),\n"
             "the file it extends and its description; marks a scenario that runs on\n"
             "uncalibrated defaults; lists the files that are not scenarios with the reason and\n"
             "the subfolders.",
             "  pbsim scenarios\n"
             "  pbsim scenarios scenarios/validation");
    auto dir = std::make_shared<std::filesystem::path>("scenarios");
    cmd.add_option("folder", *dir, "Folder of scenario files")->default_str("scenarios");
    return [dir] { return scenarios_command(*dir); };
}

constexpr Command kCommands[] = {
    {"run", "Run replications of scenarios in parallel; write one HDF5 file", setup_run},
    {"validate", "Check a scenario file (keys, types, ranges, extends) without running it",
     setup_validate},
    {"bench", "Agent-months per second (1 thread), replications per minute (all cores)",
     setup_bench},
    {"compare", "Compare every scenario of a run with the baseline: differences, ICER, NMB",
     setup_compare},
    {"report", "Write a self-contained HTML report of a run (figures, tables, league table)",
     setup_report},
    {"calibrate", "Fit free parameters to published targets by approximate Bayesian computation",
     setup_calibrate},
    {"sweep", "Run a parameter sweep (grid, lhs, sobol, morris design) x replications",
     setup_sweep},
    {"sensitivity", "Sobol or Morris sensitivity indices of a sweep's outputs", setup_sensitivity},
    {"trial", "Simulate a cluster randomised trial many times and report its power", setup_trial},
    {"docs", "Print a reference: every parameter, the output schema, or one parameter", setup_docs},
    {"scenarios", "List the scenarios of a folder (default scenarios/) and what they extend",
     setup_scenarios},
};

} // namespace

std::span<const Command> command_table() {
    return kCommands;
}

} // namespace pbsim::runner::cli

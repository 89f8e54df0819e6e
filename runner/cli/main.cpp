// pbsim command line: run, validate, bench, compare, report, calibrate, docs.
#include "runner/results/compare_file.hpp"
#include "runner/results/sensitivity_file.hpp"
#include "runner/experiments/bench.hpp"
#include "runner/experiments/calibrate.hpp"
#include "runner/cli/docs.hpp"
#include "runner/results/report.hpp"
#include "runner/experiments/run.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/experiments/sweep.hpp"
#include "runner/experiments/trial.hpp"
#include "runner/output/version.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

using namespace pbsim::runner;

namespace {

std::string joined(int argc, char** argv) {
    std::string s;
    for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
    return s;
}

int validate_command(const std::string& file, bool print) {
    try {
        const auto loaded = load_scenario(file);
        const auto& s = loaded.scenario;
        int varying = 0;
        for (const auto& t : s.parameters) varying += t.varies();
        if (print) {
            std::cout << to_toml(s, "Resolved from " + file);
        } else {
            std::cout << file << ": OK: scenario '" << s.name << "', " << s.start.to_string()
                      << " to " << s.end.to_string() << " (" << s.months() << " months), "
                      << s.parameters.size() << " parameters, " << varying
                      << " of them time-varying\n";
        }
        return kExitOk;
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "pbsim: an agent-based simulation of the uptake of personal budgets and direct payments\n"
        "by adults with severe mental health problems in England, and its costs and outcomes.\n\n"
        "Examples:\n"
        "  pbsim run scenarios/baseline.toml --replications 8 --scale 0.1\n"
        "  pbsim run scenarios/dp_support_everywhere.toml --seed 7 --out outputs/dps.h5\n"
        "  pbsim run scenarios/baseline.toml scenarios/crisis_prevention.toml -r 20  # paired\n"
        "  pbsim run scenarios/baseline.toml --set crisis.pb_effect=0.3 --set "
        "policy.active_offer=1@2015-04\n"
        "  pbsim validate scenarios/my_policy.toml --print\n"
        "  pbsim compare outputs/comparison.h5   # paired differences, ICER, NMB\n"
        "  pbsim report outputs/comparison.h5 --out outputs/report.html\n"
        "  pbsim calibrate scenarios/calibration/baseline.toml   # fit to England's figures\n"
        "  pbsim trial scenarios/trials/admissions_20pct.toml   # virtual cluster RCT: power\n"
        "  pbsim docs parameters        # every parameter: default, unit, range, source\n"
        "  pbsim bench --scale 1\n"
        "  pbsim sweep scenarios/sweeps/barriers_sobol.toml --points 16   # design x replications\n"
        "  pbsim sensitivity outputs/barriers_sobol.h5 --output uptake_share_2014_12\n\n"
        "Exit status: 0 success, 1 failure while running, 2 bad input (scenario, option or\n"
        "output path), 130 interrupted. Documentation: docs/ (odd.md, parameters.md,\n"
        "hdf5-schema.md, performance.md).",
        "pbsim"};
    app.set_version_flag("--version", std::string("pbsim ") + pbsim::kVersion + " (" +
                                          pbsim::kSourceRevision + ")");
    app.require_subcommand(1);
    app.get_formatter()->column_width(34);

    RunOptions run;
    run.command_line = joined(argc, argv);
    std::vector<std::string> scenario_files;
    auto* run_cmd = app.add_subcommand(
        "run", "Run replications of one or more scenarios in parallel and write one HDF5 file.\n"
               "Same scenario + seed gives bit-identical datasets for any --threads. Scenarios\n"
               "run together (or with the same seed) share common random numbers: replication r\n"
               "of each is paired, so differences are signal, not noise. Several scenarios go\n"
               "under /scenarios/<name>/ in the file (docs/hdf5-schema.md).");
    run_cmd->add_option("scenarios", scenario_files,
                        "Scenario file(s) (TOML), e.g. scenarios/baseline.toml scenarios/crisis_prevention.toml")
        ->required();
    run_cmd->add_option("-r,--replications", run.replications, "Independent replications")
        ->default_val(10)
        ->check(CLI::Range(1, 100000));
    run_cmd->add_option("-s,--seed", run.seed, "Master seed (0 to 2^64-1)")
        ->default_val(1)
        ->check(CLI::NonNegativeNumber);
    run_cmd->add_option("-t,--threads", run.threads, "Worker threads; 0 = all cores")
        ->default_val(0)
        ->check(CLI::Range(0, 4096));
    run_cmd->add_option("--scale", run.scale,
                        "Share of the national population to simulate, e.g. 0.1 (counts in the\n"
                        "summary are scaled back up to national figures)")
        ->default_val(1.0)
        ->check(CLI::Range(1e-6, 10.0));
    std::string out;
    run_cmd->add_option("-o,--out", out,
                        "Output HDF5 file [default: outputs/<scenario name>.h5, or\n"
                        "outputs/comparison.h5 for several scenarios]");
    run_cmd->add_option("--set", run.settings,
                        "Override a parameter: key=value, or key=value@YYYY-MM for 'from that\n"
                        "month on' (repeatable; keys as in docs/parameters.md)");
    run_cmd->add_flag("--dry-run", run.dry_run,
                       "Print what would run and its estimated memory, disk and time; run nothing");
    run_cmd->add_flag("--force", run.force,
                       "Start even if the estimate says the job does not fit the free disk or memory");
    run_cmd->add_flag("-q,--quiet", run.quiet, "No progress line and no summary table");
    run_cmd->add_flag("--resume", run.resume,
                      "Continue an interrupted run from OUT.journal (starts afresh if there is none)");
    run_cmd->add_flag("--log-json", run.log_json,
                      "Progress as JSON lines on stderr (start, progress, end): for batch systems");

    bool print = false;
    std::string validate_file;
    auto* validate_cmd = app.add_subcommand(
        "validate", "Check a scenario file (keys, types, ranges, extends) without running it");
    validate_cmd->add_option("scenario", validate_file, "Scenario file (TOML)")->required();
    validate_cmd->add_flag("--print", print, "Print the fully resolved scenario as TOML");

    BenchOptions bench;
    std::string bench_file = "scenarios/baseline.toml";
    auto* bench_cmd = app.add_subcommand(
        "bench", "Measure agent-months per second (1 thread) and replications per minute (all cores)");
    bench_cmd->add_option("scenario", bench_file, "Scenario file")->default_val(bench_file);
    bench_cmd->add_option("--scale", bench.scale, "Population scale")->default_val(1.0)->check(CLI::Range(1e-6, 10.0));
    bench_cmd->add_option("-r,--replications", bench.replications, "Replications on all cores; 0 = two per core")->default_val(0);
    bench_cmd->add_option("-t,--threads", bench.threads, "Threads; 0 = all cores")->default_val(0);

    pbsim::analysis::CompareOptions compare;
    std::string compare_file, compare_csv, compare_out;
    auto* compare_cmd = app.add_subcommand(
        "compare", "Compare every scenario of a file with the baseline: paired mean differences\n"
                   "with 95% intervals, ICER, net monetary benefit at 20,000 and 30,000 per QALY,\n"
                   "probability cost-effective, cost per crisis averted. Prints a table and writes\n"
                   "/comparison and a CSV next to it. The input is only read: a copy with /comparison\n"
                   "is renamed over it (or written to --out), so a failure never damages the run.");
    compare_cmd->add_option("file", compare_file, "Output of a run of several scenarios")->required();
    compare_cmd->add_option("--baseline", compare.baseline,
                            "Scenario to compare with [default: the first in the file]");
    compare_cmd->add_option("-o,--out", compare_out,
                            "Write the file with /comparison here instead of replacing the input\n"
                            "(which is never opened for writing either way)");
    compare_cmd->add_option("--csv", compare_csv, "CSV file [default: <output stem>-comparison.csv]");
    compare_cmd->add_option("--at", compare.at,
                            "Also compare uptake (share and national PB holders) at this month,\n"
                            "YYYY-MM, read from the time series (repeatable)");
    compare_cmd->add_flag("-q,--quiet", compare.quiet, "Write, but print nothing");

    ReportOptions report;
    std::string report_file, report_out, report_shot;
    auto* report_cmd = app.add_subcommand(
        "report", "Write a self-contained HTML report of a run: uptake over time with 95% bands,\n"
                  "costs by category, crises and admissions averted, the cost-effectiveness plane\n"
                  "and acceptability curves, a league table of councils and the comparison tables.\n"
                  "Runs `pbsim compare` first if the file has several scenarios and no /comparison.\n"
                  "Needs /usr/bin/python3 with h5py, numpy and matplotlib (analysis/report.py).\n"
                  "Example: pbsim report outputs/comparison.h5 --out outputs/report.html");
    report_cmd->add_option("file", report_file, "Output of pbsim run (one or several scenarios)")
        ->required();
    report_cmd->add_option("-o,--out", report_out, "HTML file [default: <file stem>-report.html]");
    report_cmd->add_option("--baseline", report.baseline,
                           "Scenario to compare with, if the comparison must be run");
    report_cmd->add_option("--screenshot", report_shot,
                           "Open the report in headless Chromium, check that it loads without\n"
                           "console errors and every figure shows, and save a PNG here");

    CalibrateOptions calibrate;
    calibrate.command_line = run.command_line;
    std::string calibrate_file, calibrate_out;
    int cal_particles = 0, cal_generations = 0, cal_replications = 0;
    double cal_scale = 0;
    std::uint64_t cal_seed = 0;
    auto* calibrate_cmd = app.add_subcommand(
        "calibrate",
        "Fit free parameters of a scenario to published targets by approximate Bayesian\n"
        "computation (ABC-SMC or rejection). The calibration file names the scenario, the\n"
        "targets CSV, each free parameter's prior range and the summary column of each\n"
        "target; every candidate runs the same seeded replications (common random numbers).\n"
        "Writes the accepted parameter sets of every generation, the posterior and the\n"
        "per-target fit to HDF5, and prints them with the best fit as TOML to paste into\n"
        "the scenario. Reproducible from its seed, whatever --threads.\n"
        "Example: pbsim calibrate scenarios/calibration/baseline.toml");
    calibrate_cmd->add_option("file", calibrate_file, "Calibration file (TOML)")->required();
    calibrate_cmd->add_option("-o,--out", calibrate_out,
                              "Output HDF5 file [default: outputs/calibration-<file stem>.h5]");
    calibrate_cmd->add_option("-t,--threads", calibrate.threads, "Worker threads; 0 = all cores")
        ->default_val(0)
        ->check(CLI::Range(0, 4096));
    calibrate_cmd->add_option("--particles", cal_particles, "Override: particles per generation")
        ->check(CLI::Range(2, 1000000));
    calibrate_cmd->add_option("--generations", cal_generations, "Override: SMC generations")
        ->check(CLI::Range(1, 100));
    calibrate_cmd->add_option("-r,--replications", cal_replications,
                              "Override: replications per parameter set")
        ->check(CLI::Range(1, 10000));
    calibrate_cmd->add_option("--scale", cal_scale, "Override: population scale")
        ->check(CLI::Range(1e-6, 10.0));
    calibrate_cmd->add_option("-s,--seed", cal_seed, "Override: seed")->check(CLI::NonNegativeNumber);
    calibrate_cmd->add_flag("--log-json", calibrate.log_json,
                           "Progress as JSON lines on stderr (start, each generation, end)");
    calibrate_cmd->add_flag("-q,--quiet", calibrate.quiet, "No progress and no tables");

    SweepOptions sweep;
    sweep.command_line = run.command_line;
    std::string sweep_file;
    int sweep_points = 0, sweep_reps = 0;
    std::uint64_t sweep_seed = 0;
    double sweep_scale = 0;
    auto* sweep_cmd = app.add_subcommand(
        "sweep",
        "Run a parameter sweep: every point of a design (grid, lhs, sobol, morris) over the\n"
        "parameters a sweep file varies, each with its replications, as one pool of tasks; one\n"
        "HDF5 file with /design and /summary[point, replication] (docs/sweeps.md). Replication r\n"
        "of every point shares its random numbers. Runs are journalled to OUT.journal as they\n"
        "finish: after Ctrl-C, kill or a crash, the same command with --resume runs only what is\n"
        "missing and writes the same file. Under `mpirun -n K` (built with -DPBSIM_MPI=ON) the\n"
        "runs are shared by K processes and the file is identical.\n\n"
        "Examples:\n"
        "  pbsim sweep scenarios/sweeps/barriers_sobol.toml\n"
        "  pbsim sweep scenarios/sweeps/barriers_sobol.toml --points 8 --scale 0.02 -o outputs/quick.h5\n"
        "  pbsim sweep my_sweep.toml --set crisis.pb_effect=0.3 --resume --log-json\n"
        "  mpirun -n 4 build/pbsim sweep scenarios/sweeps/barriers_sobol.toml --threads 2");
    sweep_cmd->add_option("sweep", sweep_file, "Sweep file (TOML), e.g. scenarios/sweeps/barriers_sobol.toml")
        ->required();
    sweep_cmd->add_option("--points", sweep_points,
                          "Override the file's points (lhs: points; sobol: base sample N, giving\n"
                          "N x (k+2) design points; morris: trajectories; grid: levels per range)")
        ->check(CLI::Range(1, 1000000));
    sweep_cmd->add_option("-r,--replications", sweep_reps, "Override replications per point")
        ->check(CLI::Range(1, 100000));
    sweep_cmd->add_option("-s,--seed", sweep_seed, "Override the seed (design and runs)")
        ->check(CLI::NonNegativeNumber);
    sweep_cmd->add_option("--scale", sweep_scale, "Override the population scale")
        ->check(CLI::Range(1e-6, 10.0));
    sweep_cmd->add_option("--set", sweep.overrides.settings,
                          "Fix a parameter of the base scenario: key=value[@YYYY-MM] (repeatable)");
    sweep_cmd->add_option("-t,--threads", sweep.threads, "Worker threads per process; 0 = all cores")
        ->default_val(0)
        ->check(CLI::Range(0, 4096));
    std::string sweep_out;
    sweep_cmd->add_option("-o,--out", sweep_out, "Output HDF5 file [default: outputs/<sweep file stem>.h5]");
    sweep_cmd->add_flag("--resume", sweep.resume,
                        "Continue an interrupted sweep from OUT.journal (starts afresh if there is none)");
    sweep_cmd->add_flag("--log-json", sweep.log_json,
                        "Progress as JSON lines on stderr (start, each point done, end): for batch systems");
    sweep_cmd->add_flag("--dry-run", sweep.dry_run,
                       "Print what would run and its estimated memory, disk and time; run nothing");
    sweep_cmd->add_flag("--force", sweep.force,
                       "Start even if the estimate says the job does not fit the free disk or memory");
    sweep_cmd->add_flag("-q,--quiet", sweep.quiet, "No progress line");

    pbsim::analysis::SensitivityOptions sens;
    auto* sens_cmd = app.add_subcommand(
        "sensitivity",
        "Sensitivity indices of a sweep output: Sobol first-order and total indices (sobol design)\n"
        "or Morris mu*, mu and sigma (morris design), each with a bootstrap 95% interval, over\n"
        "the mean of the replications of each point. Prints a table ranked by the index and\n"
        "writes it under /sensitivity/<output> (to a copy renamed over the file, or to --out).\n\n"
        "Examples:\n"
        "  pbsim sensitivity outputs/barriers_sobol.h5 --output uptake_share_2014_12\n"
        "  pbsim sensitivity outputs/barriers_sobol.h5 --output cost_total_discounted --bootstrap 2000");
    sens_cmd->add_option("file", sens.file, "Output of pbsim sweep (sobol or morris design)")->required();
    sens_cmd->add_option("--output", sens.outputs,
                         "Summary column(s) to analyse, e.g. uptake_share_2014_12 (a unique prefix\n"
                         "such as uptake_2014 works too); repeatable [default: uptake_share_2014_12]");
    sens_cmd->add_option("-o,--out", sens.out,
                         "Write the file with /sensitivity here instead of replacing the input");
    sens_cmd->add_option("--bootstrap", sens.resamples, "Bootstrap resamples for the intervals")
        ->default_val(1000)
        ->check(CLI::Range(0, 1000000));
    sens_cmd->add_flag("-q,--quiet", sens.quiet, "Write, but print nothing");
    TrialOptions trial;
    trial.command_line = run.command_line;
    std::string trial_file, trial_out;
    auto* trial_cmd = app.add_subcommand(
        "trial",
        "Simulate a cluster randomised trial of an intervention many times and report its power.\n"
        "Each simulated trial runs the base scenario to recruitment, randomises councils to\n"
        "intervention or control (the intervention is a set of parameter overrides in\n"
        "intervention councils only, so spillover through peers is simulated), recruits\n"
        "eligible users not holding a budget, follows them up and analyses the primary\n"
        "outcome at cluster level (t-test on log cluster rates, or on cluster means).\n"
        "Prints, per design, the empirical power, the ITT effect, the ICC and design effect,\n"
        "uptake in each arm (control uptake = contamination) and cost per participant,\n"
        "and writes them to HDF5. Same file + seed: same results for any --threads.\n\n"
        "Examples:\n"
        "  pbsim trial scenarios/trials/admissions_20pct.toml\n"
        "  pbsim trial scenarios/trials/admissions_20pct.toml --trials 50 --scale 0.25  # quick look\n"
        "  pbsim trial my_trial.toml --set crisis.pb_effect=0.4 --out outputs/strong.h5\n"
        "  pbsim trial my_trial.toml --follow-up 24 --markdown > table.md  # Markdown table\n\n"
        "A trial file (TOML; every key in docs/trial.md, with the worked example):\n"
        "  scenario = \"../baseline.toml\"       # base scenario, both arms\n"
        "  clusters_per_arm = [10, 20, 30]     # designs to scan (councils per arm)\n"
        "  participants_per_cluster = 100      # eligible users not holding a budget\n"
        "  recruitment = \"2016-04\"\n"
        "  follow_up_months = 18\n"
        "  primary = \"admissions\"              # or crises, bed_days, qalys, ascot, cost, uptake\n"
        "  trials = 400                        # simulated trials per design\n"
        "  [intervention]                      # parameter keys, intervention councils only\n"
        "  policy.active_offer = 1");
    trial_cmd->add_option("trial_file", trial_file, "Trial file (TOML), e.g. scenarios/trials/admissions_20pct.toml")
        ->required();
    trial_cmd->add_option("-n,--trials", trial.trials,
                          "Simulated trials per design [default: as in the file]")
        ->check(CLI::Range(1, 1000000));
    trial_cmd->add_option("-s,--seed", trial.seed, "Master seed (0 to 2^64-1)")
        ->default_val(1)
        ->check(CLI::NonNegativeNumber);
    trial_cmd->add_option("-t,--threads", trial.threads, "Worker threads; 0 = all cores")
        ->default_val(0)
        ->check(CLI::Range(0, 4096));
    trial_cmd->add_option("--scale", trial.scale,
                          "Share of the national population to simulate [default: as in the file]")
        ->check(CLI::Range(1e-6, 10.0));
    trial_cmd->add_option("--follow-up", trial.follow_up,
                          "Follow-up in months [default: as in the file]")
        ->check(CLI::Range(1, 240));
    trial_cmd->add_option("--set", trial.settings,
                          "Override a base-scenario parameter in both arms: key=value[@YYYY-MM]");
    trial_cmd->add_option("-o,--out", trial_out, "Output HDF5 file [default: outputs/<trial name>.h5]");
    trial_cmd->add_flag("--markdown", trial.markdown, "Print the power table as Markdown");
    trial_cmd->add_flag("--resume", trial.resume,
                       "Continue an interrupted trial from OUT.journal (starts afresh if there is none)");
    trial_cmd->add_flag("--log-json", trial.log_json,
                       "Progress as JSON lines on stderr (start, progress, end): for batch systems");
    trial_cmd->add_flag("--dry-run", trial.dry_run,
                       "Print what would run and its estimated memory, disk and time; run nothing");
    trial_cmd->add_flag("--force", trial.force,
                       "Start even if the estimate says the job does not fit the free disk or memory");
    trial_cmd->add_flag("-q,--quiet", trial.quiet, "No progress line and no table");

    std::string which;
    auto* docs_cmd = app.add_subcommand(
        "docs", "Print a generated reference document (docs/parameters.md, docs/hdf5-schema.md)");
    docs_cmd->add_option("document", which, "parameters | schema")
        ->required()
        ->check(CLI::IsMember({"parameters", "schema"}));

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e); // prints the message and a hint to use --help
        return kExitBadInput;
    }

    if (*run_cmd) {
        run.scenario_files.assign(scenario_files.begin(), scenario_files.end());
        run.out = out;
        return run_command(run);
    }
    if (*validate_cmd) return validate_command(validate_file, print);
    if (*trial_cmd) {
        trial.file = trial_file;
        trial.out = trial_out;
        return trial_command(trial);
    }
    if (*bench_cmd) {
        bench.scenario_file = bench_file;
        return bench_command(bench);
    }
    if (*compare_cmd) {
        compare.file = compare_file;
        compare.csv = compare_csv;
        compare.out = compare_out;
        return pbsim::analysis::compare_command(compare);
    }
    if (*report_cmd) {
        report.file = report_file;
        report.out = report_out;
        report.screenshot = report_shot;
        return report_command(report);
    }
    if (*calibrate_cmd) {
        calibrate.file = calibrate_file;
        calibrate.out = calibrate_out;
        if (calibrate_cmd->count("--particles")) calibrate.particles = cal_particles;
        if (calibrate_cmd->count("--generations")) calibrate.generations = cal_generations;
        if (calibrate_cmd->count("--replications")) calibrate.replications = cal_replications;
        if (calibrate_cmd->count("--scale")) calibrate.scale = cal_scale;
        if (calibrate_cmd->count("--seed")) calibrate.seed = cal_seed;
        return calibrate_command(calibrate);
    }

    if (*sweep_cmd) {
        sweep.file = sweep_file;
        sweep.out = sweep_out;
        if (sweep_points > 0) sweep.overrides.points = sweep_points;
        if (sweep_reps > 0) sweep.overrides.replications = sweep_reps;
        if (sweep_cmd->count("--seed") > 0) sweep.overrides.seed = sweep_seed;
        if (sweep_scale > 0) sweep.overrides.scale = sweep_scale;
        return sweep_command(sweep);
    }
    if (*sens_cmd) return pbsim::analysis::sensitivity_command(sens);
    if (*docs_cmd) {
        std::cout << (which == "parameters" ? parameters_markdown() : schema_markdown());
        return kExitOk;
    }
    return kExitBadInput;
}

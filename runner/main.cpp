// pbsim command line: run, validate, bench, docs.
#include "analysis/compare_file.hpp"
#include "runner/bench.hpp"
#include "runner/docs.hpp"
#include "runner/run.hpp"
#include "runner/scenario_file.hpp"
#include "runner/trial.hpp"
#include "runner/version.hpp"

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
        "  pbsim trial scenarios/trials/admissions_20pct.toml   # virtual cluster RCT: power\n"
        "  pbsim docs parameters        # every parameter: default, unit, range, source\n"
        "  pbsim bench --scale 1\n\n"
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
    run_cmd->add_flag("-q,--quiet", run.quiet, "No progress line and no summary table");

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
    std::string compare_file, compare_csv;
    auto* compare_cmd = app.add_subcommand(
        "compare", "Compare every scenario of a file with the baseline: paired mean differences\n"
                   "with 95% intervals, ICER, net monetary benefit at 20,000 and 30,000 per QALY,\n"
                   "probability cost-effective, cost per crisis averted. Prints a table and writes\n"
                   "/comparison into the file and a CSV next to it.");
    compare_cmd->add_option("file", compare_file, "Output of a run of several scenarios")->required();
    compare_cmd->add_option("--baseline", compare.baseline,
                            "Scenario to compare with [default: the first in the file]");
    compare_cmd->add_option("--csv", compare_csv, "CSV file [default: <file stem>-comparison.csv]");
    compare_cmd->add_flag("-q,--quiet", compare.quiet, "Write, but print nothing");

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
        return pbsim::analysis::compare_command(compare);
    }
    if (*docs_cmd) {
        std::cout << (which == "parameters" ? parameters_markdown() : schema_markdown());
        return kExitOk;
    }
    return kExitBadInput;
}

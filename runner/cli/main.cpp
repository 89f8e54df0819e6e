// pbsim command line: builds one CLI11 subcommand per row of the command table
// (runner/cli/commands.cpp), parses, and runs the chosen command's action.
//
// Adding a command (about four files):
//   1. its logic: runner/experiments/<name>.{hpp,cpp} (or runner/results/),
//      with an Options struct and `int <name>_command(const Options&)`;
//   2. its row and setup function in runner/cli/commands.cpp: the setup calls
//      describe() for help and examples, adds options with the helpers of
//      runner/cli/options.hpp (--seed, --scale, --threads, -r, -o, --set, -q,
//      --log-json, --resume; each checks its accepted range) and returns
//      `[o] { return <name>_command(*o); }`;
//   3. the .cpp in runner/CMakeLists.txt;
//   4. its test in tests/runner/ (exit statuses, messages, output).
#include "runner/cli/commands.hpp"
#include "runner/cli/options.hpp"
#include "runner/experiments/run.hpp"
#include "runner/output/version.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <vector>

using namespace pbsim::runner;

namespace {

std::string joined(int argc, char** argv) {
    std::string s;
    for (int i = 0; i < argc; ++i)
        s += (i ? " " : "") + std::string(argv[i]);
    return s;
}

// `pbsim --help` lists each command with its one-line summary (the first line
// of its description); `pbsim CMD --help` shows the whole description.
struct Formatter : CLI::Formatter {
    std::string make_subcommand(const CLI::App* sub) const override {
        std::stringstream out;
        const std::string& d = sub->get_description();
        CLI::detail::format_help(out, sub->get_display_name(true), d.substr(0, d.find('\n')),
                                 get_column_width());
        return out.str();
    }
};

// For a command line CLI11 rejects because of a word it does not know (an
// unknown option of a command, or an unknown command), one line naming the
// word, the closest known one if any, and where to look; else "".
std::string unknown_word(const CLI::App& app, const std::vector<CLI::App*>& commands) {
    const CLI::App* where = &app;
    for (const CLI::App* sub : commands)
        if (!sub->remaining().empty()) where = sub;
    const std::vector<std::string> extra = where->remaining();
    if (extra.empty()) return {};
    const std::string prefix = where == &app ? "pbsim" : "pbsim " + where->get_name();
    const std::string& word = extra.front();
    if (word.size() > 1 && word[0] == '-') {
        const std::string name = word.substr(0, word.find('='));
        const std::string near = cli::closest(name, cli::option_names(*where));
        return prefix + ": unknown option '" + cli::shown(name) + "'" +
               (near.empty() ? "" : " (did you mean '" + near + "'?)") + "; see " + prefix +
               " --help";
    }
    if (where != &app) return {};
    std::vector<std::string> names;
    std::string list;
    for (const CLI::App* sub : commands) {
        names.push_back(sub->get_name());
        list += (list.empty() ? "" : ", ") + sub->get_name();
    }
    const std::string near = cli::closest(word, names);
    return "pbsim: unknown command '" + cli::shown(word) + "'" +
           (near.empty() ? "" : " (did you mean '" + near + "'?)") + "; the commands are " + list +
           " (pbsim --help)";
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
        "  pbsim scenarios              # the shipped scenarios and what they extend\n"
        "  pbsim docs parameters        # every parameter: default, unit, range, source\n"
        "  pbsim docs parameter request.base_rate\n"
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
    auto formatter = std::make_shared<Formatter>();
    formatter->column_width(34);
    app.formatter(formatter);

    const cli::Context context{joined(argc, argv)};
    std::vector<CLI::App*> commands;
    std::vector<cli::Action> actions;
    for (const auto& command : cli::command_table()) {
        commands.push_back(
            app.add_subcommand(std::string(command.name), std::string(command.summary)));
        actions.push_back(command.setup(*commands.back(), context));
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (const std::string message = unknown_word(app, commands); !message.empty())
            std::cerr << message << "\n";
        else
            app.exit(e); // prints the message and a hint to use --help
        return kExitBadInput;
    }

    // Commands report their own failures; these are the last resort, so that
    // nothing ends in an uncaught exception (abort, exit 134).
    try {
        for (std::size_t i = 0; i < commands.size(); ++i)
            if (*commands[i]) return actions[i]();
    } catch (const std::bad_alloc&) {
        std::cerr << "pbsim: out of memory; try fewer --threads, a smaller --scale or fewer runs "
                     "(--dry-run shows the estimated size)\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "pbsim: failed: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitBadInput;
}

// The table of pbsim's commands. Each command is one row: its name, a
// one-line summary (shown by `pbsim --help`) and a setup function that adds
// the command's options to its CLI::App and returns the action to run once
// the command line has been parsed. The options live in state the action
// owns, so nothing is global. main.cpp builds the CLI from this table.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace pbsim::runner::cli {

struct Context {
    std::string command_line; // as typed, recorded in output files
};

// Returns the process exit status (0 ok, 1 failure, 2 bad input, 130 interrupted).
using Action = std::function<int()>;

struct Command {
    std::string_view name;
    std::string_view summary; // one line
    Action (*setup)(CLI::App& command, const Context& context);
};

std::span<const Command> command_table();

// Sets a command's help: the summary (its first line, as in the table), then
// `details`, then "Examples:" and `examples` (one per line) at the end.
void describe(CLI::App& command, std::string_view details, std::string_view examples = {});

} // namespace pbsim::runner::cli

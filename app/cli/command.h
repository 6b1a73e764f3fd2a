#pragma once
// What a kvscope-cli command is: a name, a one-line summary, its flags and a function that runs
// it. cli.cpp dispatches to the commands listed in allCommands().
#include <ostream>
#include <span>
#include <string_view>

#include "app/cli/cli_args.h"

namespace kvscope::cli {

struct Command {
    std::string_view name;
    std::string_view summary;  // one line, for `kvscope-cli --help`
    std::string_view details;  // paragraphs after the flag list in `COMMAND --help`
    std::span<const FlagSpec> flags;
    /// Runs the command. Writes its result to `out` and progress/diagnostics to `err`; returns 0
    /// on success. Throws InputError for bad input (exit 2) and anything else for internal
    /// failures (exit 1).
    int (*run)(const ParsedArgs& args, std::ostream& out, std::ostream& err);
};

const Command& generateCommand();
const Command& attentionCommand();
const Command& benchCommand();
const Command& infoCommand();
const Command& memoryCommand();
const Command& serveSimCommand();
const Command& quantEvalCommand();
const Command& evictEvalCommand();
const Command& exportCommand();

/// Every command, in the order `--help` lists them.
std::span<const Command* const> allCommands();

}  // namespace kvscope::cli

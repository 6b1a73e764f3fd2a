#include "app/cli/help.h"

#include <string>

#include "app/cli/cli_args.h"
#include "app/cli/text_format.h"
#include "core/model/model_source.h"

#ifndef KVSCOPE_VERSION
#define KVSCOPE_VERSION "unknown"
#endif

namespace kvscope::cli {

namespace {

std::string knownModels() {
    std::string known;
    for (const std::string& name : builtinModelNames()) {
        if (!known.empty()) known += ", ";
        known += name;
    }
    return known;
}

/// "--name VALUE", or "--name" for a switch.
std::string flagUsage(const FlagSpec& flag) {
    std::string usage = flagName(flag.name);
    if (!flag.value_name.empty()) {
        usage += ' ';
        usage += flag.value_name;
    }
    return usage;
}

}  // namespace

std::string_view versionString() {
    return KVSCOPE_VERSION;
}

void printVersion(std::ostream& out) {
    out << "kvscope-cli " << versionString() << "\n";
}

void printMainHelp(std::ostream& out) {
    out << "kvscope-cli " << KVSCOPE_VERSION
        << " - the KV cache of transformer inference, headless\n\n"
           "Usage: kvscope-cli COMMAND [FLAGS]\n"
           "       kvscope-cli COMMAND --help\n"
           "       kvscope-cli --help | --version\n\n"
           "Commands:\n";
    for (const Command* command : allCommands()) {
        out << "  " << padRight(command->name, 11) << command->summary << "\n";
    }
    out << "\nModels: " << knownModels()
        << "\n\nExit status: 0 success, 2 bad input (flag, value, model), 1 internal failure.\n";
}

void printCommandHelp(const Command& command, std::ostream& out) {
    out << "Usage: kvscope-cli " << command.name;
    for (const FlagSpec& flag : command.flags) {
        if (flag.required)
            out << " " << flagUsage(flag);
        else
            out << " [" << flagUsage(flag) << "]";
    }
    out << "\n\n" << command.summary << "\n\nFlags:\n";
    for (const FlagSpec& flag : command.flags) {
        out << "  " << padRight(flagUsage(flag), 24) << flag.help
            << (flag.required ? " (required)" : "") << "\n";
    }
    out << "  " << padRight("--help", 24) << "show this help\n";
    if (!command.details.empty()) out << "\n" << command.details;
    if (command.name != "bench") out << "\nModels: " << knownModels() << "\n";
}

}  // namespace kvscope::cli

#include "app/cli/cli.h"

#include <algorithm>
#include <new>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "app/cli/activations_flag.h"
#include "app/cli/backend_flag.h"
#include "app/cli/command.h"
#include "app/cli/help.h"
#include "app/cli/text_format.h"
#include "app/cli/threads_flag.h"
#include "core/engine/backend_select.h"
#include "core/engine/cpu_threads.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

/// One line on stderr: messages with embedded newlines are joined.
void printError(std::ostream& err, std::string_view prefix, std::string_view message) {
    std::string line(message);
    std::replace(line.begin(), line.end(), '\n', ' ');
    // Messages quote files and flags: no byte of theirs may drive the terminal.
    err << "kvscope-cli: " << prefix << cli::terminalSafe(line) << "\n";
}

const cli::Command* findCommand(std::string_view name) {
    for (const cli::Command* command : cli::allCommands()) {
        if (command->name == name) return command;
    }
    return nullptr;
}

bool asksForHelp(std::span<const std::string> words) {
    return std::any_of(words.begin(), words.end(),
                       [](const std::string& w) { return w == "--help" || w == "-h"; });
}

bool takesFlag(const cli::Command& command, std::string_view flag) {
    return std::any_of(command.flags.begin(), command.flags.end(),
                       [&](const cli::FlagSpec& spec) { return spec.name == flag; });
}

std::string commandList() {
    std::string names;
    for (const cli::Command* command : cli::allCommands()) {
        if (!names.empty()) names += ", ";
        names += command->name;
    }
    return names;
}

int dispatch(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty()) {
        cli::printMainHelp(err);
        return kExitBadInput;
    }
    const std::string& first = args.front();
    if (first == "--help" || first == "-h" || first == "help") {
        if (first == "help" && args.size() > 1) {
            if (const cli::Command* command = findCommand(args[1])) {
                cli::printCommandHelp(*command, out);
                return kExitOk;
            }
            throw InputError("unknown command '" + args[1] + "' (commands: " + commandList() + ")");
        }
        cli::printMainHelp(out);
        return kExitOk;
    }
    if (first == "--version" || first == "-V") {
        cli::printVersion(out);
        return kExitOk;
    }
    const cli::Command* command = findCommand(first);
    if (command == nullptr) {
        throw InputError("unknown command '" + first + "' (commands: " + commandList() +
                         "; see kvscope-cli --help)");
    }
    const std::span<const std::string> rest(args.begin() + 1, args.end());
    if (asksForHelp(rest)) {
        cli::printCommandHelp(*command, out);
        return kExitOk;
    }
    const cli::ParsedArgs parsed = cli::parseFlags(command->name, rest, command->flags);
    setRequestedThreads(cli::parseThreadsFlag(parsed));  // 0 (absent) clears an earlier run's
    if (!parsed.has("threads") && takesFlag(*command, "threads")) cli::checkThreadsEnvironment();
    setRequestedBackend(cli::parseBackendFlag(parsed, err));     // cpu when absent, as above
    setRequestedActivations(cli::parseActivationsFlag(parsed));  // q8 when absent, as above
    return command->run(parsed, out, err);
}

}  // namespace

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    // The result is buffered so that a failure half-way leaves no partial output behind.
    std::ostringstream result;
    int code = kExitInternal;
    try {
        cli::registerCompiledBackends();
        code = dispatch(args, result, err);
    } catch (const InputError& e) {
        printError(err, "", e.what());
        return kExitBadInput;
    } catch (const std::bad_alloc&) {
        printError(err, "internal error: ", "out of memory");
        return kExitInternal;
    } catch (const std::exception& e) {
        printError(err, "internal error: ", e.what());
        return kExitInternal;
    } catch (...) {
        printError(err, "internal error: ", "unknown exception");
        return kExitInternal;
    }
    if (code != kExitOk) return code;
    out << result.str() << std::flush;
    if (!out) {
        printError(err, "", "could not write the output");
        return kExitInternal;
    }
    return kExitOk;
}

}  // namespace kvscope

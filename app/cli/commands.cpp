#include "app/cli/command.h"

namespace kvscope::cli {

std::span<const Command* const> allCommands() {
    static const Command* const commands[] = {
        &generateCommand(),  &attentionCommand(), &benchCommand(),
        &infoCommand(),      &memoryCommand(),    &serveSimCommand(),
        &quantEvalCommand(), &evictEvalCommand(), &exportCommand()};
    return commands;
}

}  // namespace kvscope::cli

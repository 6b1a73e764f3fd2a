#pragma once
// The text of `kvscope-cli --help`, `kvscope-cli COMMAND --help` and `--version`.
#include <ostream>
#include <string_view>

#include "app/cli/command.h"

namespace kvscope::cli {

void printMainHelp(std::ostream& out);
void printCommandHelp(const Command& command, std::ostream& out);
void printVersion(std::ostream& out);
/// The project version, e.g. "0.1.0".
std::string_view versionString();

}  // namespace kvscope::cli

#pragma once
// kvscope-cli in-process: the words after the program name in, text out. The binary's main() and
// the tests call this; it needs no display and no Qt.
#include <ostream>
#include <string>
#include <vector>

namespace kvscope {

/// Runs one kvscope-cli invocation. `args` excludes the program name. Results go to `out`
/// (nothing is written there unless the command succeeds), progress and errors to `err` (errors
/// as one line "kvscope-cli: ..."). Returns 0 on success, 2 on bad input, 1 on internal failure.
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace kvscope

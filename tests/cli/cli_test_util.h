#pragma once
// Running kvscope-cli in-process for the tests.
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/cli.h"

namespace kvscope::test {

struct CliResult {
    int code = -1;
    std::string out;
    std::string err;
};

inline CliResult runCliCaptured(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    CliResult result;
    result.code = runCli(args, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
}

/// Lines of `text` without their "\n" (a final line without "\n" counts too).
inline std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> lines;
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line))
        lines.push_back(line);
    return lines;
}

}  // namespace kvscope::test

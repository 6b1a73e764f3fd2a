#pragma once
// Running kvscope-cli in-process for the tests.
#include <unistd.h>

#include <cstdlib>
#include <optional>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "json_value.h"

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

/// Sets (or unsets) an environment variable for one scope, then puts the old value back.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : m_name(name) {
        if (const char* old = std::getenv(name)) m_old = old;
        value ? setenv(name, value, 1) : unsetenv(name);
    }
    ~ScopedEnv() { m_old ? setenv(m_name, m_old->c_str(), 1) : unsetenv(m_name); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

/// Runs `command args... --json`, requires exit 0 and parses stdout as JSON.
inline JsonValue runCliJson(const std::string& command, std::vector<std::string> args) {
    args.insert(args.begin(), command);
    args.push_back("--json");
    const CliResult result = runCliCaptured(args);
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    return parseJson(result.out);
}

/// Writes `text` to a file in the temp directory named after `prefix`, this process and `name`;
/// returns its path.
inline std::string writeTempFile(const std::string& prefix, const std::string& name,
                                 const std::string& text) {
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / (prefix + std::to_string(getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
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

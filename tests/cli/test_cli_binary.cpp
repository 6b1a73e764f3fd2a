// The real kvscope-cli executable, started as a process with no display.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "json_value.h"

#ifndef KVSCOPE_CLI_PATH
#error "KVSCOPE_CLI_PATH must name the kvscope-cli binary"
#endif

namespace {

/// Runs kvscope-cli with `args` (already shell-quoted) without DISPLAY/WAYLAND_DISPLAY, returns
/// its exit status and stdout.
int runBinary(const std::string& args, std::string* out = nullptr) {
    const std::string command = "env -u DISPLAY -u WAYLAND_DISPLAY '" +
                                std::string(KVSCOPE_CLI_PATH) + "' " + args + " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string text;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
        text.append(buffer, n);
    const int status = pclose(pipe);
    if (out) *out = text;
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("the kvscope-cli binary exits 0 on success and 2 on bad input", "[cli][binary]") {
    std::string out;
    CHECK(runBinary("--version", &out) == 0);
    CHECK(out.rfind("kvscope-cli ", 0) == 0);
    CHECK(runBinary("--help") == 0);

    CHECK(runBinary("generate --model builtin:demo --prompt 'Hello' --max-new-tokens 4 --json",
                    &out) == 0);
    const auto json = kvscope::test::parseJson(out);
    CHECK(json["generated_tokens"].size() <= 4);

    CHECK(runBinary("generate --model builtin:demo --prompt hi --max-new-tokens 5x", &out) == 2);
    CHECK(out.empty());
    CHECK(runBinary("nonsense") == 2);
    CHECK(runBinary("") == 2);
    CHECK(runBinary("attention --model builtin:demo --prompt hi --layer 999 --head 0") == 2);
}

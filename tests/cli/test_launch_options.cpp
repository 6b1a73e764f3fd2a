#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>

#include "app/launch/launch_options.h"
#include "cli_test_util.h"
#include "core/util/error.h"

using namespace kvscope;

using kvscope::test::ScopedEnv;

TEST_CASE("kvscope with no flags opens the demo", "[cli][launch]") {
    const LaunchOptions options = parseLaunchOptions({});
    CHECK(options.screenshot.empty());
    CHECK(options.model == "builtin:demo");
    CHECK_FALSE(options.prompt.empty());
    CHECK(options.steps > 0);
    CHECK_FALSE(options.help);
}

TEST_CASE("kvscope flags are read", "[cli][launch]") {
    const LaunchOptions options =
        parseLaunchOptions({"--screenshot", "out.png", "--model", "builtin:demo-mqa", "--prompt",
                            "hello there", "--steps", "7", "--layer", "2", "--head", "5"});
    CHECK(options.screenshot == "out.png");
    CHECK(options.model == "builtin:demo-mqa");
    CHECK(options.prompt == "hello there");
    CHECK(options.steps == 7);
    CHECK(options.layer == 2);
    CHECK(options.head == 5);
    CHECK(parseLaunchOptions({"--help"}).help);
}

TEST_CASE("bad kvscope flags name the flag", "[cli][launch]") {
    CHECK_THROWS_WITH(parseLaunchOptions({"--bogus", "1"}), Catch::Contains("--bogus"));
    CHECK_THROWS_WITH(parseLaunchOptions({"--steps", "many"}), Catch::Contains("--steps"));
    CHECK_THROWS_WITH(parseLaunchOptions({"--steps", "-3"}), Catch::Contains("--steps"));
    CHECK_THROWS_WITH(parseLaunchOptions({"--steps", "12x"}), Catch::Contains("--steps"));
    CHECK_THROWS_WITH(parseLaunchOptions({"--screenshot"}), Catch::Contains("missing value"));
    CHECK_THROWS_WITH(parseLaunchOptions({"--screenshot", ""}), Catch::Contains("--screenshot"));
    CHECK_THROWS_WITH(parseLaunchOptions({"one.kvscope.json", "two.gguf"}),
                      Catch::Contains("one file at most"));
}

TEST_CASE("the headless fallback runs the same generation through kvscope-cli", "[cli][launch]") {
    LaunchOptions options;
    options.model = "builtin:demo-gqa";
    options.prompt = "two words";
    options.steps = 9;
    const std::vector<std::string> expected = {
        "generate",         "--model", "builtin:demo-gqa", "--prompt", "two words",
        "--max-new-tokens", "10"};  // prefill samples one token, each of the 9 steps one more
    CHECK(headlessCliArgs(options) == expected);
    // Float activations go along; q8, the default of both, needs no flag.
    options.activations = cpu::Activations::Float;
    std::vector<std::string> with_float = expected;
    with_float.insert(with_float.end(), {"--activations", "float"});
    CHECK(headlessCliArgs(options) == with_float);
}

TEST_CASE("kvscope --activations takes q8 or float, as kvscope-cli does", "[cli][launch]") {
    CHECK(parseLaunchOptions({}).activations == cpu::Activations::LlamaCpp);
    CHECK(parseLaunchOptions({"--activations", "q8"}).activations == cpu::Activations::LlamaCpp);
    CHECK(parseLaunchOptions({"--activations", "float"}).activations == cpu::Activations::Float);
    CHECK_THROWS_WITH(parseLaunchOptions({"--activations", "int4"}),
                      Catch::Contains("--activations") && Catch::Contains("q8 or float"));
}

TEST_CASE("a display is any of DISPLAY, WAYLAND_DISPLAY, QT_QPA_PLATFORM", "[cli][launch]") {
    ScopedEnv display("DISPLAY", nullptr);
    ScopedEnv wayland("WAYLAND_DISPLAY", nullptr);
    {
        ScopedEnv platform("QT_QPA_PLATFORM", nullptr);
        CHECK_FALSE(hasDisplay());
        ScopedEnv empty("DISPLAY", "");
        CHECK_FALSE(hasDisplay());
        ScopedEnv x11("DISPLAY", ":0");
        CHECK(hasDisplay());
    }
    {
        ScopedEnv platform("QT_QPA_PLATFORM", nullptr);
        ScopedEnv way("WAYLAND_DISPLAY", "wayland-0");
        CHECK(hasDisplay());
    }
    ScopedEnv platform("QT_QPA_PLATFORM", "offscreen");
    CHECK(hasDisplay());
}

TEST_CASE("kvscope refuses a bad OMP_NUM_THREADS as the CLI does, unless --threads says",
          "[cli][launch]") {
    const ScopedEnv env("OMP_NUM_THREADS", "abc");
    CHECK_THROWS_WITH(
        parseLaunchOptions({}),
        "OMP_NUM_THREADS: expected a whole number of threads in [1, 1024], got 'abc' (the "
        "environment variable; --threads N overrides it)");
    CHECK(parseLaunchOptions({"--threads", "2"}).threads == 2);
    CHECK(parseLaunchOptions({"--help"}).help);
}

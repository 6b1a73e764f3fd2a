// kvscope-cli on the real stories260K files.
#include <catch2/catch.hpp>

#include "cli_test_util.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/known_good.h"

using kvscope::test::runCliCaptured;

TEST_CASE("generate on stories260K.gguf prints llama2.c's known-good text exactly",
          "[cli][real-model]") {
    const auto path = kvscope::test::realModelPath("stories260K.gguf");
    if (!path) return;
    const auto result = runCliCaptured({"generate", "--model", *path, "--prompt", "",
                                        "--max-new-tokens", "200", "--temperature", "0"});
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    // llama2.c's `run` prints the text and then a newline; so does generate.
    REQUIRE(result.out == std::string(kvscope::test::kKnownGoodGreedy) + "\n");
}

TEST_CASE("attention works on stories260K.gguf", "[cli][real-model]") {
    const auto path = kvscope::test::realModelPath("stories260K.gguf");
    if (!path) return;
    const auto result =
        runCliCaptured({"attention", "--model", *path, "--prompt", "Once upon a time", "--layer",
                        "4", "--head", "7", "--csv"});
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    const auto lines = kvscope::test::splitLines(result.out);
    // BOS + "Once upon a time" = 5 tokens: a header and 5 rows.
    REQUIRE(lines.size() == 6);
    REQUIRE(lines[0].find("Once") != std::string::npos);
    const auto bad = runCliCaptured(
        {"attention", "--model", *path, "--prompt", "x", "--layer", "5", "--head", "0"});
    REQUIRE(bad.code == 2);
    REQUIRE(bad.err.find("valid: 0..4") != std::string::npos);
}

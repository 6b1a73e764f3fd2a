// Every bad-input path of kvscope-cli: exit code 2, one line on stderr that names the problem,
// nothing on stdout.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "core/model/model_source.h"

using kvscope::test::runCliCaptured;
using kvscope::test::splitLines;
using Args = std::vector<std::string>;

namespace {

Args generateWith(const Args& extra) {
    Args args{"generate", "--model", "builtin:demo", "--prompt", "hi", "--max-new-tokens", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

Args generateWithTokens(const std::string& n) {
    return {"generate", "--model", "builtin:demo", "--prompt", "hi", "--max-new-tokens", n};
}

Args attentionWith(const Args& extra) {
    Args args{"attention", "--model", "builtin:demo", "--prompt", "hi"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

void checkBadInput(const Args& args, const std::string& expected) {
    std::string command_line;
    for (const std::string& a : args)
        command_line += "'" + a + "' ";
    INFO("kvscope-cli " << command_line);
    const auto result = runCliCaptured(args);
    INFO("stderr: " << result.err);
    CHECK(result.code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find(expected) != std::string::npos);
    CHECK(result.err.rfind("kvscope-cli: ", 0) == 0);
    CHECK(splitLines(result.err).size() == 1);
}

}  // namespace

TEST_CASE("no arguments prints usage to stderr and exits 2", "[cli]") {
    const auto result = runCliCaptured({});
    CHECK(result.code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find("Usage: kvscope-cli COMMAND") != std::string::npos);
}

TEST_CASE("unknown commands and flags exit 2 naming them", "[cli]") {
    checkBadInput({"frobnicate"}, "unknown command 'frobnicate'");
    checkBadInput({"--frobnicate"}, "unknown command '--frobnicate'");
    checkBadInput(generateWith({"--bogus"}), "generate: unknown flag '--bogus'");
    checkBadInput(generateWith({"--bogus=1"}), "unknown flag '--bogus'");
    checkBadInput({"bench", "--quick", "--fast"}, "bench: unknown flag '--fast'");
    checkBadInput(generateWith({"extra"}), "unexpected argument 'extra'");
    checkBadInput(generateWith({"--json=yes"}), "--json: takes no value");
    checkBadInput(generateWith({"--seed", "1", "--seed", "2"}), "--seed: given more than once");
}

TEST_CASE("missing flags and missing values exit 2", "[cli]") {
    checkBadInput({"generate", "--model", "builtin:demo", "--prompt", "hi", "--max-new-tokens"},
                  "--max-new-tokens: missing value");
    checkBadInput({"generate", "--model", "--prompt", "hi", "--max-new-tokens", "2"},
                  "--model: missing value");
    checkBadInput({"generate", "--model", "builtin:demo", "--max-new-tokens", "2"},
                  "missing required flag --prompt");
    checkBadInput({"generate", "--prompt", "hi", "--max-new-tokens", "2"},
                  "missing required flag --model");
    checkBadInput({"generate", "--model", "builtin:demo", "--prompt", "hi"},
                  "missing required flag --max-new-tokens");
    checkBadInput(attentionWith({"--head", "0"}), "missing required flag --layer");
    checkBadInput(attentionWith({"--layer", "0"}), "missing required flag --head");
}

TEST_CASE("an unknown model exits 2 and lists the known ones", "[cli]") {
    checkBadInput(
        {"generate", "--model", "builtin:nope", "--prompt", "hi", "--max-new-tokens", "1"},
        "--model: unknown model 'builtin:nope'");
    checkBadInput(
        {"generate", "--model", "builtin:nope", "--prompt", "hi", "--max-new-tokens", "1"},
        "builtin:demo");
    checkBadInput(attentionWith({"--layer", "0", "--head", "0", "--model=gpt-5"}),
                  "--model: given more than once");
}

TEST_CASE("bad --max-new-tokens values exit 2 quoting the value", "[cli]") {
    checkBadInput(generateWithTokens("5x"),
                  "kvscope-cli: --max-new-tokens: expected a positive integer, got '5x'");
    checkBadInput(generateWithTokens("-3"),
                  "--max-new-tokens: expected a positive integer, got '-3'");
    checkBadInput(generateWithTokens("0"),
                  "--max-new-tokens: expected a positive integer, got '0'");
    checkBadInput(generateWithTokens("nan"), "got 'nan'");
    checkBadInput(generateWithTokens("2.5"), "got '2.5'");
    checkBadInput(generateWithTokens(""), "--max-new-tokens: expected a positive integer, got ''");
    checkBadInput(generateWithTokens("99999999999999999999"),
                  "got '99999999999999999999' (out of range)");
    checkBadInput(attentionWith({"--layer", "0", "--head", "0", "--max-new-tokens", "x"}),
                  "--max-new-tokens: expected a non-negative integer, got 'x'");
}

TEST_CASE("bad sampling values exit 2 naming the flag", "[cli]") {
    checkBadInput(generateWith({"--temperature", "-1"}),
                  "--temperature: expected a finite number >= 0, got '-1'");
    checkBadInput(generateWith({"--temperature", "nan"}), "--temperature: expected");
    checkBadInput(generateWith({"--temperature", "inf"}), "--temperature: expected");
    checkBadInput(generateWith({"--temperature", "1e999"}), "(out of range)");
    checkBadInput(generateWith({"--top-p", "0"}), "--top-p: expected a number in (0, 1], got '0'");
    checkBadInput(generateWith({"--top-p", "1.5"}),
                  "--top-p: expected a number in (0, 1], got '1.5'");
    checkBadInput(generateWith({"--top-p", "NaN"}), "--top-p: expected");
    checkBadInput(generateWith({"--top-k", "-1"}),
                  "--top-k: expected a non-negative integer, got '-1'");
    checkBadInput(generateWith({"--top-k", "3.5"}), "--top-k: expected a non-negative integer");
    checkBadInput(generateWith({"--seed", "-1"}), "--seed: expected");
    checkBadInput(generateWith({"--seed", "18446744073709551616"}), "--seed: expected");
    checkBadInput(generateWith({"--mode", "fast"}),
                  "--mode: expected cached or recompute, got 'fast'");
}

TEST_CASE("layer and head out of range exit 2 with the valid range", "[cli]") {
    const auto model = kvscope::loadModel("builtin:demo");
    const auto n_layers = model->config.n_layers, n_heads = model->config.n_heads;
    checkBadInput(attentionWith({"--layer", std::to_string(n_layers), "--head", "0"}),
                  "--layer: " + std::to_string(n_layers) + " is out of range for " +
                      model->config.name + " (valid: 0.." + std::to_string(n_layers - 1) + ")");
    checkBadInput(attentionWith({"--layer", "0", "--head", std::to_string(n_heads)}),
                  "--head: " + std::to_string(n_heads) + " is out of range");
    checkBadInput(attentionWith({"--layer", "0", "--head", std::to_string(n_heads)}),
                  "(valid: 0.." + std::to_string(n_heads - 1) + ")");
    checkBadInput(attentionWith({"--layer", "-1", "--head", "0"}),
                  "--layer: expected a non-negative integer, got '-1'");
    checkBadInput(attentionWith({"--layer", "0", "--head", "0", "--json", "--csv"}),
                  "--json and --csv");
}

TEST_CASE("a prompt plus new tokens beyond the context exits 2 saying so", "[cli]") {
    const auto model = kvscope::loadModel("builtin:demo");
    const std::int64_t max_context = model->config.max_context;
    // "hi" is BOS + 2 bytes = 3 tokens.
    checkBadInput(generateWithTokens(std::to_string(max_context - 2)), "context too long");
    checkBadInput(generateWithTokens(std::to_string(max_context - 2)),
                  "holds at most " + std::to_string(max_context) + " tokens");
    checkBadInput(generateWithTokens("9223372036854775807"), "context too long");
    checkBadInput(attentionWith({"--layer", "0", "--head", "0", "--max-new-tokens",
                                 std::to_string(max_context)}),
                  "context too long");
}

TEST_CASE("--help and --version succeed on stdout", "[cli]") {
    const auto help = runCliCaptured({"--help"});
    CHECK(help.code == 0);
    CHECK(help.err.empty());
    for (const char* command : {"generate", "attention", "bench"}) {
        CHECK(help.out.find(command) != std::string::npos);
    }

    const auto generate_help = runCliCaptured({"generate", "--help"});
    CHECK(generate_help.code == 0);
    for (const char* flag : {"--model M", "--prompt TEXT", "--max-new-tokens N", "--temperature",
                             "--top-k", "--top-p", "--seed", "--mode", "--json"}) {
        INFO(flag);
        CHECK(generate_help.out.find(flag) != std::string::npos);
    }
    const auto attention_help = runCliCaptured({"help", "attention"});
    CHECK(attention_help.code == 0);
    CHECK(attention_help.out.find("--layer L") != std::string::npos);
    // --help wins over otherwise bad flags: the user asked how to use the command.
    CHECK(runCliCaptured({"bench", "--nonsense", "--help"}).code == 0);
    CHECK(runCliCaptured({"help", "nope"}).code == 2);

    const auto version = runCliCaptured({"--version"});
    CHECK(version.code == 0);
    CHECK(version.out.rfind("kvscope-cli ", 0) == 0);
    CHECK(version.out.find('.') != std::string::npos);
}

TEST_CASE("an output stream that cannot be written is an internal failure, exit 1", "[cli]") {
    std::ostringstream out, err;
    out.setstate(std::ios::badbit);
    CHECK(kvscope::runCli({"--version"}, out, err) == 1);
    CHECK(err.str() == "kvscope-cli: could not write the output\n");
}

TEST_CASE("a model path to a device or pipe says what it is, not 'no such file'", "[cli]") {
    // Issue #16: --model /dev/null said "no such file".
    const auto result = runCliCaptured(
        {"generate", "--model", "/dev/null", "--prompt", "x", "--max-new-tokens", "1"});
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Catch::Contains("'/dev/null' is not a regular file"));
    CHECK(result.err.find("no such file") == std::string::npos);
}

TEST_CASE("the activations flag takes q8 or float on every command that computes",
          "[cli][activations]") {
    checkBadInput(generateWith({"--activations", "int8"}), "--activations");
    checkBadInput(attentionWith({"--layer", "0", "--head", "0", "--activations", "Q8"}),
                  "--activations");
    checkBadInput({"quant-eval", "--model", "builtin:demo", "--activations", "fp32"},
                  "--activations");
    checkBadInput({"evict-eval", "--model", "builtin:demo", "--activations", "8"}, "--activations");
    checkBadInput({"bench", "--quick", "--activations", "f32"}, "--activations");
    checkBadInput({"export", "--scenario", "missing.json", "--what", "heatmap", "--format", "png",
                   "--out", "x.png", "--activations", "q4"},
                  "--activations");
    // The scheme reaches the CPU backend, which names the non-default one.
    const std::string model = std::string(KVSCOPE_TEST_DATA_DIR) + "/arch/llama3-q8_0.gguf";
    for (const auto& [flag, suffix] :
         {std::pair<std::string, std::string>{"q8", ""},
          std::pair<std::string, std::string>{"float", ", float activations"}}) {
        const auto result =
            runCliCaptured({"generate", "--model", model, "--prompt", "hello", "--max-new-tokens",
                            "2", "--threads", "1", "--activations", flag, "--json"});
        INFO("stderr: " << result.err);
        CHECK(result.code == 0);
        CHECK(result.out.find("\"backend\":\"CPU (Eigen, 1 thread" + suffix + ")\"") !=
              std::string::npos);
    }
}

TEST_CASE("the threads flag takes a whole number in [1, 1024] on every command that computes",
          "[cli][threads]") {
    checkBadInput(generateWith({"--threads", "0"}), "--threads");
    checkBadInput(generateWith({"--threads", "two"}), "--threads");
    checkBadInput(attentionWith({"--layer", "0", "--head", "0", "--threads", "1025"}), "--threads");
    checkBadInput({"quant-eval", "--model", "builtin:demo", "--threads", "0"}, "--threads");
    checkBadInput({"evict-eval", "--model", "builtin:demo", "--threads", "0"}, "--threads");
    checkBadInput({"bench", "--quick", "--threads", "-1"}, "--threads");
    checkBadInput({"export", "--scenario", "missing.json", "--what", "heatmap", "--format", "png",
                   "--out", "x.png", "--threads", "0"},
                  "--threads");
    for (const std::string n : {"1", "2"}) {
        const auto result = runCliCaptured(generateWith({"--threads", n, "--json"}));
        INFO("stderr: " << result.err);
        CHECK(result.code == 0);
        CHECK(result.out.find("\"backend\":\"CPU (Eigen, " + n + " thread") != std::string::npos);
    }
}

TEST_CASE("OMP_NUM_THREADS is read as a whole number in [1, 1024] by the commands that compute",
          "[cli][threads]") {
    using kvscope::test::ScopedEnv;
    for (const std::string bad : {"abc", "0", "-1", "100000", "2abc", " ", "1025"}) {
        INFO("OMP_NUM_THREADS='" << bad << "'");
        const ScopedEnv env("OMP_NUM_THREADS", bad.c_str());
        checkBadInput(generateWith({}),
                      "OMP_NUM_THREADS: expected a whole number of threads in "
                      "[1, 1024], got '" +
                          bad + "'");
        checkBadInput({"evict-eval", "--model", "builtin:demo", "--needle", "32"},
                      "OMP_NUM_THREADS");
        // --threads overrides it, and a command that computes nothing does not read it.
        CHECK(runCliCaptured(generateWith({"--threads", "1"})).code == 0);
        CHECK(runCliCaptured({"info", "--model", "builtin:demo"}).code == 0);
    }
    // OpenMP's forms: blanks around the number, and a list of nested levels (the first counts).
    for (const auto& [value, threads] : {std::pair<std::string, std::string>{"3", "3 threads"},
                                         {" 2 ", "2 threads"},
                                         {"1,4", "1 thread"}}) {
        INFO("OMP_NUM_THREADS='" << value << "'");
        const ScopedEnv env("OMP_NUM_THREADS", value.c_str());
        const auto result = runCliCaptured(generateWith({"--json"}));
        INFO("stderr: " << result.err);
        CHECK(result.code == 0);
        CHECK(result.out.find("\"backend\":\"CPU (Eigen, " + threads + ")\"") != std::string::npos);
    }
}

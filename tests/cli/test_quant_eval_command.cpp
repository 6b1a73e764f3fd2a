// `kvscope-cli quant-eval`: the table, the JSON fields, bad input exits 2.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "json_value.h"

using Catch::Contains;
using kvscope::test::JsonValue;
using kvscope::test::runCliCaptured;

namespace {

/// Writes `text` to a file in the temp directory named after this process; returns its path.
std::string writeTemp(const std::string& name, const std::string& text) {
    return kvscope::test::writeTempFile("kvscope-quant-", name, text);
}

}  // namespace

TEST_CASE("quant-eval: JSON has every metric per codec, against fp32", "[quant][cli]") {
    const JsonValue json = kvscope::test::runCliJson(
        "quant-eval", {"--model", "builtin:demo", "--codecs",
                       "fp16,int8,q8_0/q4_0,int4+w8,kivi2+r8", "--steps", "24"});
    CHECK(json["n_steps"].number == 24);
    CHECK(json["n_tokens"].number == 25);
    CHECK(json["reference"]["codec"].string == "fp32");
    CHECK(json["reference"]["ratio_to_fp16"].number == 2.0);
    REQUIRE(json["codecs"].size() == 5);
    const JsonValue& fp16 = json["codecs"][0];
    CHECK(fp16["codec"].string == "fp16");
    CHECK(fp16["ratio_to_fp16"].number == 1.0);
    CHECK(fp16["kv_bytes"].number == json["fp16_kv_bytes"].number);
    const JsonValue& mixed = json["codecs"][2];
    CHECK(mixed["k_dtype"].string == "q8_0");
    CHECK(mixed["v_dtype"].string == "q4_0");
    CHECK(json["codecs"][3]["recent_window"].number == 8);
    CHECK(json["codecs"][4]["kivi_window"].number == 8);
    for (std::size_t i = 0; i < json["codecs"].size(); ++i) {
        const JsonValue& c = json["codecs"][i];
        INFO(c["codec"].string);
        for (const char* key : {"attn_l1_mean", "attn_l1_max", "attn_kl_mean", "attn_kl_max",
                                "logits_kl_mean", "logits_kl_max", "perplexity_delta"})
            CHECK(c.has(key));
        CHECK(c["top1_agreement"].number >= 0.0);
        CHECK(c["top1_agreement"].number <= 1.0);
        CHECK(c["perplexity"].number > 0.0);
        CHECK(c["first_divergence"].number >= 0.0);
        CHECK(c["first_divergence"].number <= 24.0);
    }
}

TEST_CASE("quant-eval: the table lists fp32 and each codec", "[quant][cli]") {
    const auto result = runCliCaptured(
        {"quant-eval", "--model", "builtin:demo", "--codecs", "int8,fp8-e4m3", "--steps", "8"});
    REQUIRE(result.code == 0);
    CHECK_THAT(result.out, Contains("| fp32 "));
    CHECK_THAT(result.out, Contains("| int8 "));
    CHECK_THAT(result.out, Contains("| fp8_e4m3 "));
    CHECK_THAT(result.out, Contains("8 teacher-forced steps"));
    CHECK_THAT(result.err, Contains("quant-eval: [3/3]"));
}

TEST_CASE("quant-eval: bad input exits 2 naming the flag", "[quant][cli]") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
        {{"--codecs", "int3"}, "--codecs"},
        {{"--codecs", "int8,,fp16"}, "--codecs: empty entry"},
        {{"--codecs", "int4+w"}, "--codecs"},
        {{"--layout", "ring"}, "--layout"},
        {{"--steps", "0"}, "--steps"},
        {{"--text", "/nonexistent/kvscope.txt"}, "--text"},
        {{"--text", "/nonexistent/kvscope.txt", "--prompt", "x"}, "--prompt, --text and --prompts"},
        {{"--prompts", "/nonexistent/kvscope.txt"},
         "--prompts: '/nonexistent/kvscope.txt': no such file"},
        // Issue #16: these read until memory ran out.
        {{"--text", "/dev/zero"}, "--text: '/dev/zero' is larger than the 16.00 MiB limit"},
        {{"--prompts", "/dev/zero"}, "--prompts: '/dev/zero' is larger than the 16.00 MiB limit"},
        {{"--prompts", "/nonexistent/kvscope.txt", "--text", "y"}, "not several"},
        {{"--codecs", "kivi2", "--layout", "paged", "--block-size", "16"}, "multiple of 32"},
        {{"--steps", "100000"}, "context"},
        {{"--codecs", "int8+w600"}, "mixed-precision window: 600 tokens is longer"},
        {{"--codecs", "int8+w600", "--prompts", "/nonexistent/kvscope.txt"}, "window: 600"},
    };
    for (const auto& [extra, message] : bad) {
        std::vector<std::string> args = {"quant-eval", "--model", "builtin:demo"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto result = runCliCaptured(args);
        INFO(extra.front() << " " << extra.back() << ": " << result.err);
        CHECK(result.code == 2);
        CHECK_THAT(result.err, Contains(message));
        CHECK(result.out.empty());
    }
}

TEST_CASE("quant-eval --prompts pools one sequence per prompt line", "[quant][cli]") {
    const std::string prompts =
        writeTemp("prompts.txt", "# two prompts and BOS alone\r\n<s>\r\n\r\nKV\nscope\n");
    const JsonValue json =
        kvscope::test::runCliJson("quant-eval", {"--model", "builtin:demo", "--codecs", "int8,fp16",
                                                 "--steps", "12", "--prompts", prompts});
    // BOS + 12 (12 steps), BOS + "KV" + 12, BOS + "scope" + 12: the prompts' tokens count too.
    CHECK(json["n_sequences"].number == 3);
    REQUIRE(json["codecs"].size() == 2);
    const JsonValue& int8 = json["codecs"][0];
    CHECK(int8["codec"].string == "int8");
    REQUIRE(int8["sequence_top1"].size() == 3);
    CHECK(json["reference"]["top1_agreement"].number == 1.0);
    CHECK(json["reference"]["n_steps"].number == json["n_steps"].number);
    CHECK(json["n_steps"].number > 36);
    // Pooled agreement is the matches over all steps.
    CHECK(int8["top1_agreement"].number ==
          Approx(int8["top1_matches"].number / int8["n_steps"].number));
    CHECK(int8["top1_min"].number <= int8["top1_median"].number);
    CHECK(int8["top1_median"].number <= int8["top1_max"].number);
    CHECK(json["near_tie_margin"].number == 0.1);

    const auto table = runCliCaptured({"quant-eval", "--model", "builtin:demo", "--codecs", "int8",
                                       "--steps", "8", "--prompts", prompts});
    REQUIRE(table.code == 0);
    CHECK_THAT(table.out, Contains("pooled over 3 sequences"));
    CHECK_THAT(table.out, Contains("| int8 "));
    CHECK_THAT(table.err, Contains("sequence 3/3"));

    const std::string empty = writeTemp("empty.txt", "# nothing but a comment\n\n");
    const auto none = runCliCaptured({"quant-eval", "--model", "builtin:demo", "--prompts", empty});
    CHECK(none.code == 2);
    CHECK_THAT(none.err, Contains("holds no prompt"));

    // A prompt that leaves no room for the steps: the line is named.
    const std::string long_line =
        writeTemp("long.txt", "short\n# comment\n" + std::string(600, 'x') + "\n");
    const auto too_long = runCliCaptured(
        {"quant-eval", "--model", "builtin:demo", "--steps", "8", "--prompts", long_line});
    CHECK(too_long.code == 2);
    CHECK_THAT(too_long.err, Contains("line 3: context too long"));
    CHECK_THAT(too_long.err, Contains("lower --steps"));
    std::filesystem::remove(prompts);
    std::filesystem::remove(empty);
    std::filesystem::remove(long_line);
}

TEST_CASE("quant-eval --prompts drops a byte order mark and reads a spaced <s> as BOS alone",
          "[quant][cli]") {
    // Windows editors put EF BB BF in front: the first line is still a comment. " <s>\t" is BOS
    // alone, so the one sequence is BOS + 8 fp32 tokens: 8 steps.
    const std::string prompts = writeTemp("bom.txt", "\xEF\xBB\xBF# a comment\r\n <s>\t\r\n");
    const JsonValue json = kvscope::test::runCliJson(
        "quant-eval",
        {"--model", "builtin:demo", "--codecs", "int8", "--steps", "8", "--prompts", prompts});
    CHECK(json["n_sequences"].number == 1);
    CHECK(json["n_steps"].number == 8);
    // The fp32 continuations come first, and take a while for many prompts: stderr says so.
    const auto table = runCliCaptured({"quant-eval", "--model", "builtin:demo", "--codecs", "int8",
                                       "--steps", "8", "--prompts", prompts});
    CHECK_THAT(table.err, Contains("fp32 greedy continuations of 8 tokens for 1 prompt..."));
    std::filesystem::remove(prompts);

    // A directory is named as one, not reported as a file holding no prompt.
    const std::string dir = std::filesystem::temp_directory_path().string();
    const auto result = runCliCaptured({"quant-eval", "--model", "builtin:demo", "--prompts", dir});
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Contains("is a directory"));
}

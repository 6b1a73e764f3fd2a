// `kvscope-cli evict-eval`: the JSON fields, the needle table, bad input exits 2 naming the flag.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdint>
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

std::string writeTemp(const std::string& name, const std::string& text) {
    return kvscope::test::writeTempFile("kvscope-evict-", name, text);
}

}  // namespace

TEST_CASE("evict-eval: JSON has every metric per policy and budget", "[evict][cli]") {
    const std::string text =
        writeTemp("text.txt", "the cat sat on the mat. the cat sat on the mat.");
    const JsonValue json = kvscope::test::runCliJson(
        "evict-eval", {"--model", "builtin:demo", "--text", text, "--policies", "window,streaming",
                       "--budget", "8,16", "--sinks", "2", "--steps", "10"});
    CHECK(json["n_tokens"].number == 48);  // BOS + 47 bytes
    REQUIRE(json["rows"].size() == 4);
    CHECK(json["rows"][0]["policy"].string == "window");
    CHECK(json["rows"][0]["budget"].number == 8);
    CHECK(json["rows"][3]["policy"].string == "streaming");
    CHECK(json["rows"][3]["budget"].number == 16);
    CHECK(json["rows"][3]["sinks"].number == 2);
    for (std::size_t i = 0; i < json["rows"].size(); ++i) {
        const JsonValue& r = json["rows"][i];
        CHECK(r["held_tokens"].number == r["budget"].number);
        // fp32 demo model: 4 layers x 4 KV heads x 16 x 4 B x 2 (K and V) = 2 KiB per entry.
        CHECK(r["logical_bytes"].number == r["budget"].number * 2048);
        CHECK(r["physical_bytes"].number == json["reference_physical_bytes"].number);
        CHECK(r["top1_agreement"].number <= 1.0);
        CHECK(r["perplexity"].number > 0.0);
    }
}

TEST_CASE("evict-eval: the paged layout frees blocks and reports its holes", "[evict][cli]") {
    const std::string text =
        writeTemp("paged.txt", "the cat sat on the mat. the cat sat on the mat.");
    const JsonValue json = kvscope::test::runCliJson(
        "evict-eval", {"--model", "builtin:demo", "--text", text, "--policies", "window",
                       "--budget", "8", "--steps", "10", "--layout", "paged", "--block-size", "4"});
    REQUIRE(json["rows"].size() == 1);
    const JsonValue& r = json["rows"][0];
    // 47 positions fed (rows 0..46); a window of 8 holds 39..46: blocks 9 (36..39), 10 and 11
    // (44..46, the tail). 3 blocks x 4 slots x 2 KiB per entry (4 layers x 4 KV heads x 16 x 4 B
    // x 2). Holes per layer: 4 + 4 + 3 rows in those blocks - 8 held = 3, over 4 layers 12.
    CHECK(r["logical_bytes"].number == 8 * 2048);
    CHECK(r["physical_bytes"].number == 3 * 4 * 2048);
    CHECK(r["holes"].number == 12);
    CHECK(json["reference_physical_bytes"].number == 12 * 4 * 2048);  // 47 rows: 12 blocks
}

TEST_CASE("evict-eval: JSON has the bytes held, allocated and the holes of every step",
          "[evict][cli]") {
    // 48 tokens (BOS + 47 bytes): --prefill 3 feeds BOS + 2 bytes in one pass, then the next
    // 44 one at a time (the last token is only predicted): 45 compared steps; after step i the
    // cache has seen p = 3 + i positions (rows 0..p-1), 47 at the last. A window of 8 holds the
    // last min(p, 8) of them; each entry is 2 KiB (fp32 demo: 4 layers x 4 KV heads x 16 x 4 B x 2
    // for K and V).
    const std::string text =
        writeTemp("steps.txt", "the cat sat on the mat. the cat sat on the mat.");
    constexpr std::int64_t kPrefill = 3, kSteps = 45, kWindow = 8, kEntry = 2048, kBlock = 4;
    for (const char* layout : {"contiguous", "paged"}) {
        INFO("layout " << layout);
        const JsonValue json = kvscope::test::runCliJson(
            "evict-eval",
            {"--model", "builtin:demo", "--text", text, "--policies", "window", "--budget", "8",
             "--prefill", "3", "--steps", "10", "--layout", layout, "--block-size", "4"});
        CHECK(json["n_steps"].number == kSteps);
        REQUIRE(json["rows"].size() == 1);
        const JsonValue& r = json["rows"][0];
        const JsonValue& logical = r["step_logical_bytes"];
        const JsonValue& physical = r["step_physical_bytes"];
        const JsonValue& holes = r["step_holes"];
        REQUIRE(logical.size() == std::size_t(kSteps));
        REQUIRE(physical.size() == std::size_t(kSteps));
        REQUIRE(holes.size() == std::size_t(kSteps));
        // The last step is the row's own figures.
        CHECK(logical.array.back().number == r["logical_bytes"].number);
        CHECK(physical.array.back().number == r["physical_bytes"].number);
        CHECK(holes.array.back().number == r["holes"].number);
        const bool paged = std::string(layout) == "paged";
        for (std::int64_t i = 0; i < kSteps; ++i) {
            INFO("step " << i);
            const std::int64_t p = kPrefill + i;
            const std::int64_t held = std::min(p, kWindow);
            CHECK(logical.array[std::size_t(i)].number == double(held * kEntry));
            if (!paged) {
                // The contiguous reservation: the demo's context of 512 rows from the start.
                CHECK(physical.array[std::size_t(i)].number == double(512 * kEntry));
                CHECK(holes.array[std::size_t(i)].number == 0);
                continue;
            }
            // Paged, blocks of 4: the blocks from the one of the oldest row held (p - held) to
            // the tail's; their rows below p that the window no longer holds are holes, in each
            // of the 4 layers.
            const std::int64_t first = (p - held) / kBlock, last = (p - 1) / kBlock;
            const std::int64_t allocated_rows = p - first * kBlock;
            CHECK(physical.array[std::size_t(i)].number ==
                  double((last - first + 1) * kBlock * kEntry));
            CHECK(holes.array[std::size_t(i)].number == double(4 * (allocated_rows - held)));
            CHECK(physical.array[std::size_t(i)].number >= logical.array[std::size_t(i)].number);
        }
    }
}

TEST_CASE("evict-eval: a mixed window and kivi2 leave holes in the paged layout too",
          "[evict][cli]") {
    const std::string text =
        writeTemp("paged-tiered.txt", "the cat sat on the mat. the cat sat on the mat.");
    const auto run = [&](const char* kv, const char* block) {
        const JsonValue json = kvscope::test::runCliJson(
            "evict-eval",
            {"--model", "builtin:demo", "--text", text, "--policies", "window", "--budget", "8",
             "--steps", "10", "--layout", "paged", "--block-size", block, "--kv", kv});
        REQUIRE(json["rows"].size() == 1);
        return json["rows"][0];
    };
    // The demo model: 4 layers, 4 KV heads of 16 values. 47 rows (0..46); a window of 8 holds
    // 39..46.
    // int4+w4, blocks of 4: an int4 row of one head is one group of 32 (16 values + padding) =
    // 20 B, so a token is 4 x 20 = 80 B per role and a block of one layer 4 x 80 x 2 = 640 B; the
    // ring holds 4 fp16 rows per role: 4 x 4 x 16 x 2 B x 2 roles = 1024 B per layer. Rows 43..46
    // are in the ring, 0..42 low: blocks 0..10, block 10 still filling (43 is not low yet), block
    // 9 held by row 39, blocks 0..8 free: 2 blocks x 640 + 1024 = 2304 B per layer.
    // Holes per layer: rows 36..43 in those blocks + 44..46 past them = 11, less 8 held = 3.
    const JsonValue w4 = run("int4+w4", "4");
    CHECK(w4["physical_bytes"].number == 4 * 2304);
    CHECK(w4["holes"].number == 4 * 3);
    // Logical: 4 ring rows x 128 B + 4 low rows x 80 B = 832 B per role.
    CHECK(w4["logical_bytes"].number == 4 * 2 * 832);
    // kivi2+r32, blocks of 32: keys wait in fp16 for 32 + 15 = 47 rows (every row), values for
    // the last 32, so rows 0..14 of V are low, in block 0, still filling. A block of one layer:
    // K 4 heads x 16 channels x 12 B = 768 B, V 32 rows x 4 heads x 12 B = 1536 B; the rings:
    // K 63 slots x 128 B = 8064 B, V 32 x 128 B = 4096 B: 2304 + 12160 = 14464 B per layer.
    // Holes per layer: rows 0..31 of block 0 + 32..46 in the rings = 47, less 8 held = 39.
    const JsonValue kivi = run("kivi2+r32", "32");
    CHECK(kivi["physical_bytes"].number == 4 * 14464);
    CHECK(kivi["holes"].number == 4 * 39);
    CHECK(kivi["logical_bytes"].number == 4 * 2 * 8 * 128);  // 8 fp16 rows per role
}

TEST_CASE("evict-eval: --per-head keeps a set per KV head, the same bytes", "[evict][cli]") {
    const std::string text =
        writeTemp("perhead.txt", "the cat sat on the mat. the dog sat on the log. the end.");
    const auto run = [&](bool per_head) {
        std::vector<std::string> args = {
            "--model",     "builtin:demo", "--text", text,      "--policies",
            "window,tova", "--budget",     "8",      "--steps", "5"};
        if (per_head) args.push_back("--per-head");
        return kvscope::test::runCliJson("evict-eval", args);
    };
    const JsonValue layer = run(false), head = run(true);
    REQUIRE(head["rows"].size() == 2);
    // window selects the same entries in every head: per-head changes nothing there.
    CHECK_FALSE(head["rows"][0]["per_head"].boolean);
    CHECK(head["rows"][1]["per_head"].boolean);
    CHECK_FALSE(layer["rows"][1]["per_head"].boolean);
    CHECK(head["rows"][1]["label"].string == "tova b8 per-head");
    CHECK(head["rows"][0]["logits_kl_mean"].number == layer["rows"][0]["logits_kl_mean"].number);
    // Every head holds the same count: the bytes are those of 8 entries either way.
    CHECK(head["rows"][1]["logical_bytes"].number == 8 * 2048);
    CHECK(head["rows"][1]["logical_bytes"].number == layer["rows"][1]["logical_bytes"].number);
}

TEST_CASE("evict-eval: the needle table", "[evict][cli]") {
    const auto result = runCliCaptured({"evict-eval", "--model", "builtin:demo", "--needle", "100",
                                        "--policies", "window,snapkv", "--budget", "16"});
    INFO(result.err);
    REQUIRE(result.code == 0);
    CHECK_THAT(result.out, Contains("| full") && Contains("window b16") && Contains("snapkv b16"));
}

TEST_CASE("evict-eval: bad input exits 2 naming the flag", "[evict][cli]") {
    const std::string text = writeTemp("bad.txt", "the cat sat on the mat.");
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--budget", "0"}, "--budget"},
        {{"--policies", "streaming", "--budget", "4", "--sinks", "4"}, "--sinks"},
        {{"--policies", "h2o", "--window", "100000"}, "--window"},
        {{"--policies", "window,lru"}, "--policies"},
        {{"--positions", "shifted"}, "--positions"},
        {{"--prefill", "100"}, "--prefill"},
    };
    for (const auto& [extra, flag] : cases) {
        std::vector<std::string> args = {"evict-eval", "--model", "builtin:demo", "--text", text};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto result = runCliCaptured(args);
        INFO(extra.front() << ": " << result.err);
        CHECK(result.code == 2);
        CHECK_THAT(result.err, Contains(flag));
    }
}

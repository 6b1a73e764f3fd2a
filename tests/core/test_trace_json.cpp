#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/trace/trace_file.h"
#include "core/trace/trace_json.h"
#include "core/util/json_value.h"
#include "gguf_test_files.h"
#include "json_schema_check.h"
#include "test_util.h"
#include "trace_test_util.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

const std::string kDocsDir = std::string(KVSCOPE_TEST_DATA_DIR) + "/../../docs";

/// `text` with the first occurrence of `from` replaced by `to`; FAILs when absent.
std::string replaceFirst(std::string text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

std::string readErrorOf(const std::string& json) {
    return inputErrorOf([&] { readTraceJson(json, "bad.json"); });
}

void checkSameTrace(const Trace& a, const Trace& b) {
    CHECK(a.scenario.model == b.scenario.model);
    CHECK(a.scenario.prompt == b.scenario.prompt);
    CHECK(a.scenario.sampling.seed == b.scenario.sampling.seed);
    CHECK(a.scenario.sampling.temperature == b.scenario.sampling.temperature);
    CHECK(a.scenario.cache_layout == b.scenario.cache_layout);
    CHECK(a.backend == b.backend);
    CHECK(a.model_info.config.n_layers == b.model_info.config.n_layers);
    CHECK(a.model_info.config.rope_theta == b.model_info.config.rope_theta);
    CHECK(a.model_info.bos == b.model_info.bos);
    REQUIRE(a.tokens.size() == b.tokens.size());
    for (const auto& [id, token] : a.tokens) {
        REQUIRE(b.tokens.count(id) == 1);
        CHECK(b.tokens.at(id).label == token.label);
        CHECK(b.tokens.at(id).text == token.text);
        CHECK(b.tokens.at(id).special == token.special);
    }
    REQUIRE(a.records.size() == b.records.size());
    for (std::size_t i = 0; i < a.records.size(); ++i) {
        const StepRecord &x = a.records[i], &y = b.records[i];
        CHECK(x.phase == y.phase);
        CHECK(x.first_pos == y.first_pos);
        CHECK(x.tokens == y.tokens);
        CHECK(x.next_token == y.next_token);
        CHECK(x.next_prob == y.next_prob);
        REQUIRE(x.top_k.size() == y.top_k.size());
        for (std::size_t k = 0; k < x.top_k.size(); ++k)
            CHECK((x.top_k[k].id == y.top_k[k].id && x.top_k[k].prob == y.top_k[k].prob));
        CHECK(x.cost.flops == y.cost.flops);
        CHECK(x.cost.kv_bytes_read == y.cost.kv_bytes_read);
        CHECK(x.wall_ms == y.wall_ms);
        REQUIRE(x.layers.size() == y.layers.size());
        for (std::size_t l = 0; l < x.layers.size(); ++l) {
            CHECK(x.layers[l].k_bytes == y.layers[l].k_bytes);
            CHECK(x.layers[l].bytes_allocated == y.layers[l].bytes_allocated);
            CHECK(x.layers[l].held_positions == y.layers[l].held_positions);
            CHECK(x.layers[l].held_positions_per_head == y.layers[l].held_positions_per_head);
            REQUIRE(x.layers[l].attention.size() == y.layers[l].attention.size());
            for (std::size_t h = 0; h < x.layers[l].attention.size(); ++h)
                CHECK(x.layers[l].attention[h] == y.layers[l].attention[h]);
        }
    }
}

/// Export -> import -> export gives the same bytes, and the imported trace equals the original.
void checkRoundTrip(const Trace& trace) {
    const std::string first = traceJsonString(trace);
    const Trace imported = readTraceJson(first, "first.json");
    checkSameTrace(trace, imported);
    const std::string second = traceJsonString(imported);
    CHECK(first.size() == second.size());
    CHECK(first == second);
}

}  // namespace

TEST_CASE("A demo trace (prefill + 10 steps) exports, imports and exports byte-identically",
          "[trace_json]") {
    const Trace& trace = demoTrace();
    REQUIRE(trace.records.size() == 11);
    REQUIRE_FALSE(trace.records[0].layers[0].attention.empty());
    checkRoundTrip(trace);
}

TEST_CASE("A sampled paged trace with a 64-bit seed round-trips byte-identically", "[trace_json]") {
    SessionOptions options;
    options.sampling.temperature = 0.9f;
    options.sampling.top_k = 40;
    options.sampling.top_p = 0.95f;
    options.sampling.seed = 18446744073709551615ull;
    options.cache_layout = CacheLayout::Paged;
    options.block_size = 4;
    options.cache_spec = parseKvCacheSpec("int8/fp16", "test");
    const Trace trace = recordTrace("builtin:demo-mqa", "Caf\xc3\xa9, \"quoted\"\n", 6, options);
    checkRoundTrip(trace);
    const Trace back = readTraceJson(traceJsonString(trace), "t.json");
    CHECK(back.scenario.sampling.seed == 18446744073709551615ull);
    CHECK(back.scenario.cache_layout == CacheLayout::Paged);
    CHECK(back.scenario.block_size == 4);
    CHECK(back.scenario.cache_spec.label() == "int8/fp16");
    CHECK(back.records.back().kvBytesHeld() == trace.records.back().kvBytesHeld());
}

TEST_CASE("A stories260K trace exports, imports and exports byte-identically", "[trace_json]") {
    const auto path = realModelPath("stories260K.gguf");
    if (!path) return;
    const Trace trace = recordTrace(*path, "Once upon a time", 10);
    REQUIRE(trace.records.size() == 11);
    CHECK(trace.model_info.config.n_layers == 5);
    checkRoundTrip(trace);
    // Every token the records name has its text, so the trace replays without the model.
    for (const StepRecord& record : trace.records)
        for (TokenId id : record.tokens)
            CHECK(trace.tokens.count(id) == 1);
}

TEST_CASE("Saving and reading a trace file round-trips byte-identically", "[trace_json]") {
    GgufTempDir dir;
    const std::string path = dir.file("run.json");
    saveTrace(path, demoTrace(), TraceFormat::Json);
    const std::string written = readWholeFile(path);
    const Trace imported = readTraceJsonFile(path);
    const std::string path2 = dir.file("again.json");
    saveTrace(path2, imported, TraceFormat::Json);
    CHECK(readWholeFile(path2) == written);
}

TEST_CASE("Every 32-bit float survives the JSON trace exactly", "[trace_json]") {
    Trace trace = demoTrace();
    std::mt19937 rng(7);
    std::int64_t n_values = 0;
    for (StepRecord& record : trace.records)
        for (LayerRecord& layer : record.layers)
            for (Matrix& head : layer.attention)
                for (Eigen::Index i = 0; i < head.size(); ++i) {
                    float value;
                    do {
                        value = std::bit_cast<float>(std::uint32_t(rng()));
                    } while (!std::isfinite(value));
                    head.data()[i] = value;
                    ++n_values;
                }
    CHECK(n_values > 10000);
    checkRoundTrip(trace);
}

TEST_CASE("Extreme and power-of-two-neighbour floats survive the JSON trace exactly",
          "[trace_json]") {
    // Where float spacing changes (powers of two), at the ends of the range, subnormals, -0.
    std::vector<float> special = {std::numeric_limits<float>::max(),
                                  std::numeric_limits<float>::lowest(),
                                  std::numeric_limits<float>::min(),
                                  std::numeric_limits<float>::denorm_min(),
                                  -std::numeric_limits<float>::denorm_min(),
                                  -0.0f,
                                  0.0f};
    for (int e = -140; e <= 127; e += 3) {
        const float power = std::ldexp(1.0f, e);
        special.push_back(power);
        special.push_back(std::nextafter(power, 0.0f));
        special.push_back(std::nextafter(power, 2 * power));
        special.push_back(-std::nextafter(power, 0.0f));
    }
    Trace trace = demoTrace();
    std::size_t next = 0;
    for (StepRecord& record : trace.records)
        for (LayerRecord& layer : record.layers)
            for (Matrix& head : layer.attention)
                for (Eigen::Index i = 0; i < head.size(); ++i)
                    head.data()[i] = special[next++ % special.size()];
    REQUIRE(next > special.size());
    checkRoundTrip(trace);
    // -0 keeps its sign through the reader.
    const Trace back = readTraceJson(traceJsonString(trace), "t.json");
    bool saw_negative_zero = false;
    for (const StepRecord& record : back.records)
        for (const LayerRecord& layer : record.layers)
            for (const Matrix& head : layer.attention)
                for (Eigen::Index i = 0; i < head.size(); ++i)
                    saw_negative_zero |= head.data()[i] == 0.0f && std::signbit(head.data()[i]);
    CHECK(saw_negative_zero);
}

TEST_CASE("The JSON trace conforms to docs/trace.schema.json", "[trace_json]") {
    const JsonValue schema = parseJsonFile(kDocsDir + "/trace.schema.json", 1 << 20);
    JsonSchemaCheck check(schema);
    for (const Trace* trace : {&demoTrace()}) {
        const JsonValue doc = parseJson(traceJsonString(*trace), "trace.json");
        const std::vector<std::string> violations = check.violations(doc);
        INFO(Catch::Detail::stringify(violations));
        CHECK(violations.empty());
    }
    // The checker does catch a wrong type and an undocumented member.
    std::string json = traceJsonString(demoTrace());
    json = replaceFirst(json, "\"wall_ms\":", "\"wall_ms\":\"1\",\"extra\":");
    const auto violations = check.violations(parseJson(json, "bad.json"));
    CHECK(violations.size() == 2);
}

TEST_CASE("docs/trace-schema.md documents every member of the JSON schema", "[trace_json]") {
    const JsonValue schema = parseJsonFile(kDocsDir + "/trace.schema.json", 1 << 20);
    const std::string doc = readWholeFile(kDocsDir + "/trace-schema.md");
    std::vector<const JsonValue*> objects{&schema};
    for (const JsonMember& def : schema.at("$defs").members())
        objects.push_back(&def.value);
    std::int64_t n_members = 0;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const JsonValue* properties = objects[i]->find("properties");
        if (properties == nullptr) continue;
        for (const JsonMember& member : properties->members()) {
            INFO("member " << member.key);
            CHECK_THAT(doc, Catch::Contains("`" + member.key + "`"));
            ++n_members;
            objects.push_back(&member.value);
            if (const JsonValue* items = member.value.find("items")) objects.push_back(items);
        }
    }
    CHECK(n_members > 40);
}

TEST_CASE("Reading a bad trace names the file and the JSON path", "[trace_json]") {
    const std::string good = traceJsonString(demoTrace());

    SECTION("truncated") {
        CHECK_THAT(readErrorOf(good.substr(0, good.size() / 2)),
                   Catch::Contains("bad.json") && Catch::Contains("line 1, column"));
    }
    SECTION("not a trace") {
        CHECK_THAT(readErrorOf("[1, 2]"), Catch::Contains("$") && Catch::Contains("KVScope trace"));
        CHECK_THAT(readErrorOf(replaceFirst(good, "kvscope.trace", "other.trace")),
                   Catch::Contains("$.schema") && Catch::Contains("not a KVScope trace"));
    }
    SECTION("a newer version") {
        CHECK_THAT(readErrorOf(replaceFirst(good, "\"version\":3", "\"version\":4")),
                   Catch::Contains("$.version") &&
                       Catch::Contains("trace version 4 is newer than this KVScope reads (3)"));
    }
    SECTION("a missing key") {
        CHECK_THAT(readErrorOf(replaceFirst(good, "\"wall_ms\":", "\"wall_msec\":")),
                   Catch::Contains("$.records[0]") && Catch::Contains("wall_ms"));
        CHECK_THAT(readErrorOf(replaceFirst(good, "\"n_heads\":", "\"heads\":")),
                   Catch::Contains("$.model") && Catch::Contains("n_heads"));
    }
    SECTION("a bad cache spec") {
        CHECK_THAT(readErrorOf(replaceFirst(good, "\"cache_spec\":\"", "\"cache_spec\":\"int9")),
                   Catch::Contains("$.scenario.cache_spec"));
    }
    SECTION("a wrong type") {
        const std::string json =
            replaceFirst(good, "\"next_token\":", "\"next_token\":\"x\",\"_\":");
        CHECK_THAT(readErrorOf(json), Catch::Contains("$.records[0].next_token"));
        CHECK_THAT(readErrorOf(replaceFirst(good, "\"k_bytes\":", "\"k_bytes\":-1,\"_\":")),
                   Catch::Contains("$.records[0].layers[0].k_bytes"));
        CHECK_THAT(readErrorOf(replaceFirst(good, "\"seed\":\"", "\"seed\":\"-")),
                   Catch::Contains("$.scenario.sampling.seed"));
    }
    SECTION("attention rows that do not match the tokens fed") {
        Trace trace = demoTrace();
        Matrix& head = trace.records[0].layers[1].attention[0];
        head.conservativeResize(head.rows() - 1, head.cols());
        CHECK_THAT(readErrorOf(traceJsonString(trace)),
                   Catch::Contains("$.records[0].layers[1].attention[0]") &&
                       Catch::Contains("rows (one per token fed)"));
        trace = demoTrace();
        Matrix& row = trace.records[3].layers[1].attention[2];
        row.conservativeResize(row.rows(), row.cols() + 1);
        CHECK_THAT(readErrorOf(traceJsonString(trace)),
                   Catch::Contains("$.records[3].layers[1].attention[2][0]"));
        trace = demoTrace();
        trace.records[3].layers[1].attention.pop_back();
        CHECK_THAT(readErrorOf(traceJsonString(trace)),
                   Catch::Contains("$.records[3].layers[1].attention") && Catch::Contains("heads"));
    }
    SECTION("records that disagree with the model or each other") {
        Trace trace = demoTrace();
        trace.records[2].layers.pop_back();
        CHECK_THAT(readErrorOf(traceJsonString(trace)),
                   Catch::Contains("$.records[2].layers") && Catch::Contains("n_layers"));
        trace = demoTrace();
        trace.records[4].first_pos += 1;
        CHECK_THAT(readErrorOf(traceJsonString(trace)), Catch::Contains("$.records[4].first_pos"));
        trace = demoTrace();
        trace.tokens.erase(trace.records[5].next_token);
        CHECK_THAT(readErrorOf(traceJsonString(trace)),
                   Catch::Contains("$.records[") && Catch::Contains("has no entry in $.tokens"));
    }
}

TEST_CASE("A record claiming more positions than its rows hold fails before allocating for them",
          "[trace_json]") {
    // 100,000 tokens fed in the prefill and the first head's 100,000 rows all empty: 500 KB of
    // text whose attention matrix would be 100,000 x 100,000 floats (40 GB) if it were allocated
    // from the claim; the rows' lengths are checked first.
    std::string text = traceJsonString(demoTrace());
    text = replaceFirst(text, "\"max_context\":512,\"rope_theta\"",
                        "\"max_context\":1000000,\"rope_theta\"");
    const std::size_t tokens_at = text.find("\"tokens\":[", text.find("\"records\""));
    REQUIRE(tokens_at != std::string::npos);
    const std::size_t tokens_end = text.find(']', tokens_at);
    std::string tokens = "\"tokens\":[1";
    for (int i = 1; i < 100000; ++i)
        tokens += ",1";
    text.replace(tokens_at, tokens_end + 1 - tokens_at, tokens + "]");
    const std::size_t head_at = text.find("\"attention\":[[", tokens_at) + 13;
    const std::size_t head_end = text.find("]]", head_at) + 2;
    std::string rows = "[[]";
    for (int i = 1; i < 100000; ++i)
        rows += ",[]";
    text.replace(head_at, head_end - head_at, rows + "]");
    REQUIRE(text.size() < 1'000'000);
    CHECK_THAT(readErrorOf(text),
               Catch::Contains("$.records[0].layers[0].attention[0][0]") &&
                   Catch::Contains("expected 100000 weights (one per position attended), got 0"));
}

TEST_CASE("Reading a missing trace file names it", "[trace_json]") {
    CHECK_THAT(inputErrorOf([] { readTraceJsonFile("/no/such/trace.json"); }),
               Catch::Contains("/no/such/trace.json"));
}

namespace {

/// demoTrace() with the other-mode twin measured as the window's worker does: a recompute
/// session fed the same tokens, its cost for every record but the third.
Trace demoTraceWithTwin() {
    Trace trace = demoTrace();
    SessionOptions twin_options;
    twin_options.mode = CacheMode::Recompute;
    twin_options.record_attention = false;
    Session twin(loadModel(trace.scenario.model), twin_options);
    for (std::size_t r = 0; r < trace.records.size(); ++r) {
        const StepRecord& record = trace.records[r];
        const StepRecord& other =
            r == 0 ? twin.prefill(record.tokens) : twin.stepForced(record.tokens.front());
        trace.other_mode.push_back(OtherModeCost{other.wall_ms, other.cost});
    }
    trace.other_mode[2].reset();
    return trace;
}

}  // namespace

TEST_CASE("Version 2 keeps the twin session's other-mode costs; version 1 still reads",
          "[trace_json]") {
    const Trace trace = demoTraceWithTwin();
    // Recomputing the whole sequence costs more FLOPs than the cached step, every decode step.
    for (std::size_t r = 1; r < trace.records.size(); ++r) {
        if (!trace.other_mode[r]) continue;
        CHECK(trace.other_mode[r]->cost.flops > trace.records[r].cost.flops);
    }
    const std::string json = traceJsonString(trace);
    checkRoundTrip(trace);
    const Trace read = readTraceJson(json, "twin.json");
    REQUIRE(read.other_mode.size() == trace.records.size());
    CHECK(read.other_mode == trace.other_mode);  // nullopt at record 2 stays nullopt
    CHECK(json.find("\"other_mode\":{\"mode\":\"recompute\"") != std::string::npos);

    const JsonValue schema = parseJsonFile(kDocsDir + "/trace.schema.json", 1 << 20);
    CHECK(JsonSchemaCheck(schema).violations(parseJson(json, "twin.json")).empty());

    SECTION("a version 1 file (no other_mode) reads with no twin costs") {
        const std::string v1 =
            replaceFirst(traceJsonString(demoTrace()), "\"version\":3", "\"version\":1");
        const Trace old = readTraceJson(v1, "v1.json");
        CHECK(old.other_mode.empty());
        CHECK(old.records.size() == demoTrace().records.size());
    }
    SECTION("other_mode in a version 1 file, or naming the mode the scenario ran, is refused") {
        CHECK_THAT(
            readErrorOf(replaceFirst(json, "\"version\":3", "\"version\":1")),
            Catch::Contains("$.records[0].other_mode") && Catch::Contains("needs trace version 2"));
        CHECK_THAT(readErrorOf(replaceFirst(json, "\"mode\":\"recompute\",\"cost\"",
                                            "\"mode\":\"cached\",\"cost\"")),
                   Catch::Contains("$.records[0].other_mode.mode") &&
                       Catch::Contains("expected \"recompute\""));
        CHECK_THAT(readErrorOf(replaceFirst(
                       json, "\"other_mode\":{\"mode\":\"recompute\",\"cost\":{\"flops\":",
                       "\"other_mode\":{\"mode\":\"recompute\",\"cost\":{\"flops\":-")),
                   Catch::Contains("$.records[0].other_mode.cost.flops"));
    }
}

TEST_CASE("Version 3 keeps what a bounded cache holds; version 2 files still read",
          "[trace_json]") {
    Trace trace = demoTrace();
    REQUIRE(trace.records.size() >= 2);
    REQUIRE(trace.model_info.config.n_kv_heads == 4);
    // Hand-set: after record 1 layer 0 holds three positions, each KV head its own.
    const std::int64_t last = trace.records[1].positionsAfter() - 1;
    using V = std::vector<std::int64_t>;
    trace.records[1].layers[0].held_positions = {0, 1, 2, last};
    trace.records[1].layers[0].held_positions_per_head = {
        {0, 1, last}, {0, 2, last}, {1, 2, last}, {0, 1, last}};
    checkRoundTrip(trace);
    const std::string json = traceJsonString(trace);
    const Trace read = readTraceJson(json, "held.json");
    CHECK(read.records[1].layers[0].held_positions == V{0, 1, 2, last});
    CHECK(read.records[1].layers[0].held_positions_per_head[1] == V{0, 2, last});
    CHECK(read.records[0].layers[0].held_positions.empty());
    const JsonValue schema = parseJsonFile(kDocsDir + "/trace.schema.json", 1 << 20);
    CHECK(JsonSchemaCheck(schema).violations(parseJson(json, "held.json")).empty());

    SECTION("a version 2 file (no held positions) reads") {
        const std::string v2 =
            replaceFirst(traceJsonString(demoTrace()), "\"version\":3", "\"version\":2");
        CHECK(readTraceJson(v2, "v2.json").records[1].layers[0].held_positions.empty());
    }
    SECTION("held positions in a version 2 file, out of order, or per head unequal are refused") {
        CHECK_THAT(readErrorOf(replaceFirst(json, "\"version\":3", "\"version\":2")),
                   Catch::Contains("$.records[1].layers[0].held_positions") &&
                       Catch::Contains("need trace version 3"));
        CHECK_THAT(readErrorOf(replaceFirst(json, "\"held_positions\":[0,1,2,",
                                            "\"held_positions\":[0,2,1,")),
                   Catch::Contains("$.records[1].layers[0].held_positions[2]") &&
                       Catch::Contains("ascending"));
        CHECK_THAT(readErrorOf(replaceFirst(json, "[1,2," + std::to_string(last) + "]",
                                            "[1," + std::to_string(last) + "]")),
                   Catch::Contains("held_positions_per_head[2]") && Catch::Contains("same count"));
    }
}

TEST_CASE("A bounded-cache trace keeps its eviction spec and each layer's held positions",
          "[trace_json][eviction]") {
    // The demo model, a window of 8: BOS + "The cache grows" (16 tokens) is cut to its last 8
    // positions after the prefill, then every step keeps the 8 most recent.
    SessionOptions options;
    options.eviction.policy = EvictionPolicy::Window;
    options.eviction.budget = 8;
    const Trace trace = recordTrace("builtin:demo", "The cache grows", 5, options);
    REQUIRE(trace.records.size() == 6);
    const std::int64_t end = trace.records.back().positionsAfter();  // 16 + 5 = 21
    REQUIRE(end == 21);
    const std::vector<std::int64_t> last8{13, 14, 15, 16, 17, 18, 19, 20};
    for (const LayerRecord& layer : trace.records.back().layers)
        CHECK(layer.held_positions == last8);
    CHECK(trace.records.front().layers[0].held_positions ==
          std::vector<std::int64_t>{8, 9, 10, 11, 12, 13, 14, 15});
    for (const LayerRecord& layer : trace.records.back().layers)
        CHECK(layer.holes == 0);  // the contiguous layout compacts
    checkRoundTrip(trace);
    const std::string json = traceJsonString(trace);
    const Trace back = readTraceJson(json, "bounded.json");
    CHECK(back.scenario.eviction == options.eviction);
    for (std::size_t r = 0; r < trace.records.size(); ++r)
        for (std::size_t l = 0; l < trace.records[r].layers.size(); ++l)
            CHECK(back.records[r].layers[l].held_positions ==
                  trace.records[r].layers[l].held_positions);
    const JsonValue schema = parseJsonFile(kDocsDir + "/trace.schema.json", 1 << 20);
    CHECK(JsonSchemaCheck(schema).violations(parseJson(json, "bounded.json")).empty());
    // A full-cache trace writes neither member.
    const std::string full = traceJsonString(demoTrace());
    CHECK(full.find("eviction") == std::string::npos);
    CHECK(full.find("held_positions") == std::string::npos);

    SECTION("the paged layout's holes: written, read back, refused in a version 2 file") {
        SessionOptions paged = options;
        paged.cache_layout = CacheLayout::Paged;
        paged.block_size = 4;
        const Trace with_holes = recordTrace("builtin:demo", "The cache grows", 5, paged);
        // After the prefill rows 0..15 are written and 8..15 held: blocks 0 and 1 went back, no
        // holes. After 21 positions (13..20 held) block 3 (rows 12..15) holds row 12 as a hole.
        CHECK(with_holes.records.front().layers[0].holes == 0);
        CHECK(with_holes.records.back().layers[0].holes == 1);
        checkRoundTrip(with_holes);
        const std::string text = traceJsonString(with_holes);
        CHECK(readTraceJson(text, "holes.json").records.back().layers[1].holes == 1);
        CHECK(JsonSchemaCheck(schema).violations(parseJson(text, "holes.json")).empty());
        CHECK_THAT(readErrorOf(replaceFirst(text, "\"version\":3", "\"version\":2")),
                   Catch::Contains("need trace version 3"));
    }
    SECTION("held positions out of order or past the record are refused") {
        CHECK_THAT(
            readErrorOf(replaceFirst(json, "\"held_positions\":[8,9,", "\"held_positions\":[9,8,")),
            Catch::Contains("$.records[0].layers[0].held_positions[1]"));
        CHECK_THAT(readErrorOf(
                       replaceFirst(json, "\"held_positions\":[8,9,", "\"held_positions\":[8,99,")),
                   Catch::Contains("$.records[0].layers[0].held_positions[1]"));
        CHECK_THAT(readErrorOf(replaceFirst(json, "\"policy\":\"window\"", "\"policy\":\"lru\"")),
                   Catch::Contains("$.scenario.eviction.policy"));
    }
}

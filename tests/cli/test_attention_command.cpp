#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "app/cli/attention/attention_output.h"
#include "cli_test_util.h"
#include "core/model/model_source.h"
#include "json_value.h"

using kvscope::test::JsonValue;
using kvscope::test::parseJson;
using kvscope::test::runCliCaptured;
using kvscope::test::splitLines;
using Args = std::vector<std::string>;

namespace {

Args attentionArgs(const std::string& prompt, int n_new, std::int64_t layer, std::int64_t head,
                   const Args& extra = {}) {
    Args args{"attention",
              "--model",
              "builtin:demo",
              "--prompt",
              prompt,
              "--max-new-tokens",
              std::to_string(n_new),
              "--layer",
              std::to_string(layer),
              "--head",
              std::to_string(head)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

JsonValue attentionJson(const std::string& prompt, int n_new, std::int64_t layer, std::int64_t head,
                        const Args& extra = {}) {
    Args args = attentionArgs(prompt, n_new, layer, head, extra);
    args.push_back("--json");
    const auto result = runCliCaptured(args);
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    return parseJson(result.out);
}

/// Splits one RFC 4180 record (no embedded line breaks needed here).
std::vector<std::string> csvRecord(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';  // a doubled quote inside a quoted field
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

/// Rows sum to 1, nothing right of the diagonal, square.
void checkCausalRows(const std::vector<std::vector<double>>& m) {
    for (std::size_t q = 0; q < m.size(); ++q) {
        INFO("row " << q);
        REQUIRE(m[q].size() == m.size());
        double sum = 0;
        for (std::size_t k = 0; k < m[q].size(); ++k) {
            if (k > q) CHECK(m[q][k] == 0.0);
            CHECK(m[q][k] >= 0.0);
            sum += m[q][k];
        }
        CHECK(std::abs(sum - 1.0) <= 1e-5);
    }
}

std::vector<std::vector<double>> matrixOf(const JsonValue& json) {
    std::vector<std::vector<double>> m;
    for (const JsonValue& row : json["matrix"].array) {
        m.emplace_back();
        for (const JsonValue& x : row.array)
            m.back().push_back(x.number);
    }
    return m;
}

}  // namespace

TEST_CASE("attention --json gives a square causal matrix over prompt and generated tokens",
          "[cli][attention]") {
    const auto model = kvscope::loadModel("builtin:demo");
    const auto& c = model->config;
    const std::string prompt = "the cat sat";
    const int n_new = 6;
    for (const auto& [layer, head] : {std::pair<std::int64_t, std::int64_t>{0, 0},
                                      {c.n_layers - 1, c.n_heads - 1},
                                      {c.n_layers / 2, c.n_heads / 2}}) {
        INFO("layer " << layer << " head " << head);
        const JsonValue json = attentionJson(prompt, n_new, layer, head);
        CHECK(json["layer"].number == double(layer));
        CHECK(json["head"].number == double(head));
        CHECK(json["kv_head"].number == double(head / c.kvGroupSize()));
        const std::size_t n_prompt = 1 + prompt.size();  // BOS + one token per byte
        CHECK(json["n_prompt_tokens"].number == double(n_prompt));
        const JsonValue& tokens = json["tokens"];
        CHECK(tokens.size() >= n_prompt);
        CHECK(tokens.size() <= n_prompt + n_new);
        CHECK(json["n_tokens"].number == double(tokens.size()));
        CHECK(tokens[0]["id"].number == model->tokenizer->bos());
        CHECK(tokens[0]["label"].string == model->tokenizer->label(model->tokenizer->bos()));
        for (std::size_t p = 0; p < tokens.size(); ++p) {
            CHECK(tokens[p]["position"].number == double(p));
            CHECK(tokens[p]["generated"].boolean == (p >= n_prompt));
        }
        const auto m = matrixOf(json);
        CHECK(m.size() == tokens.size());
        checkCausalRows(m);
        CHECK(m[0][0] == Approx(1.0).margin(1e-6));  // BOS can only attend to itself
    }
}

TEST_CASE("attention covers the same tokens generate produces", "[cli][attention]") {
    const auto generated = runCliCaptured({"generate", "--model", "builtin:demo", "--prompt", "abc",
                                           "--max-new-tokens", "8", "--json"});
    REQUIRE(generated.code == 0);
    const JsonValue gen = parseJson(generated.out);
    const JsonValue att = attentionJson("abc", 8, 0, 0);
    std::vector<double> expected;
    for (const JsonValue& id : gen["prompt_tokens"].array)
        expected.push_back(id.number);
    for (const JsonValue& id : gen["generated_tokens"].array)
        expected.push_back(id.number);
    std::vector<double> actual;
    for (const JsonValue& token : att["tokens"].array)
        actual.push_back(token["id"].number);
    CHECK(actual == expected);
}

TEST_CASE("attention without new tokens covers the prompt only", "[cli][attention]") {
    const JsonValue json = attentionJson("hello", 0, 1, 1);
    CHECK(json["n_tokens"].number == 6);
    checkCausalRows(matrixOf(json));
}

TEST_CASE("attention rows are the same with and without the KV cache", "[cli][attention]") {
    const auto cached = matrixOf(attentionJson("KV cache", 5, 1, 2));
    const auto recomputed = matrixOf(attentionJson("KV cache", 5, 1, 2, {"--mode", "recompute"}));
    REQUIRE(cached.size() == recomputed.size());
    for (std::size_t q = 0; q < cached.size(); ++q) {
        for (std::size_t k = 0; k < cached.size(); ++k) {
            INFO("q " << q << " k " << k);
            CHECK(cached[q][k] == Approx(recomputed[q][k]).margin(1e-5));
        }
    }
}

TEST_CASE("attention --csv has a header of key tokens and one row per query", "[cli][attention]") {
    const std::string prompt = "say \"hi\", ok";  // a comma and quotes in the labels
    const auto result = runCliCaptured(attentionArgs(prompt, 3, 0, 1, {"--csv"}));
    REQUIRE(result.code == 0);
    const auto lines = splitLines(result.out);
    REQUIRE(lines.size() >= 2);
    const auto header = csvRecord(lines[0]);
    const std::size_t n = header.size() - 1;
    CHECK(header[0] == "query\\key");
    CHECK(header[1] == "0:<s>");
    CHECK(lines.size() == n + 1);
    CHECK(n >= prompt.size() + 1);
    CHECK(n <= prompt.size() + 1 + 3);
    std::vector<std::vector<double>> m;
    for (std::size_t q = 0; q < n; ++q) {
        const auto row = csvRecord(lines[q + 1]);
        REQUIRE(row.size() == n + 1);
        CHECK(row[0] == header[q + 1]);  // the query label matches the key label of its column
        m.emplace_back();
        for (std::size_t k = 1; k <= n; ++k)
            m.back().push_back(std::stod(row[k]));
    }
    checkCausalRows(m);
    CHECK(header[1 + 4 + 1] == "5:\"");  // position 5 holds the byte '"'
    CHECK(header[1 + 8 + 1] == "9:,");
}

TEST_CASE("attention without --json/--csv prints a readable table", "[cli][attention]") {
    const auto result = runCliCaptured(attentionArgs("abc", 2, 1, 0));
    REQUIRE(result.code == 0);
    const auto lines = splitLines(result.out);
    CHECK(result.out.find("layer 1, query head 0") != std::string::npos);
    // Title, legend, blank line, column header, then 4 prompt + up to 2 generated rows.
    CHECK(lines.size() >= 4 + 4);
    CHECK(lines.size() <= 4 + 6);
    CHECK(lines[4].find("<s>") != std::string::npos);
    CHECK(lines[4].find("1.00") != std::string::npos);
    CHECK(lines[4].find(" .") != std::string::npos);  // the masked future keys of row 0
}

TEST_CASE("csvField quotes only what needs quoting", "[cli][attention]") {
    CHECK(kvscope::cli::csvField("abc") == "abc");
    CHECK(kvscope::cli::csvField("a,b") == "\"a,b\"");
    CHECK(kvscope::cli::csvField("say \"x\"") == "\"say \"\"x\"\"\"");
    CHECK(kvscope::cli::csvField("a\nb") == "\"a\nb\"");
}

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "core/model/model_source.h"
#include "core/model/random_weights.h"
#include "core/util/error.h"
#include "json_value.h"
#include "tests/core/arch_model_file.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/gguf_writer.h"
#include "tests/core/llama2c_writer.h"
#include "tests/core/tiny_models.h"

using Catch::Contains;
using kvscope::test::JsonValue;
using kvscope::test::parseJson;
using kvscope::test::runCliCaptured;

namespace {

kvscope::test::CliResult info(const std::string& model, bool json) {
    std::vector<std::string> args{"info", "--model", model};
    if (json) args.push_back("--json");
    return runCliCaptured(args);
}

JsonValue infoJson(const std::string& model) {
    const auto result = info(model, true);
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    return parseJson(result.out);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

const JsonValue* findTensor(const JsonValue& json, const std::string& name) {
    for (const JsonValue& t : json["tensors"].array) {
        if (t["name"].string == name) return &t;
    }
    return nullptr;
}

const JsonValue* findKey(const JsonValue& json, const std::string& key) {
    for (const JsonValue& m : json["metadata"].array) {
        if (m["key"].string == key) return &m;
    }
    return nullptr;
}

double sumTensorBytes(const JsonValue& json) {
    double total = 0;
    for (const JsonValue& t : json["tensors"].array)
        total += t["bytes"].number;
    return total;
}

/// The tensor types as "F32:48" strings, in order.
std::vector<std::string> typeCounts(const JsonValue& json) {
    std::vector<std::string> out;
    for (const JsonValue& t : json["tensor_types"].array)
        out.push_back(t["type"].string + ":" + std::to_string(int(t["count"].number)));
    return out;
}

}  // namespace

TEST_CASE("info on builtin:demo: shape, KV bytes by hand, tensors from the weights",
          "[cli][info]") {
    const auto model = kvscope::loadModel("builtin:demo");
    const kvscope::ModelConfig& c = model->config;
    // K and V, n_kv_heads x head_dim values each, 4 bytes per fp32 value.
    const std::int64_t kv_per_layer = 2 * c.n_kv_heads * c.head_dim * 4;

    const auto text = info("builtin:demo", false);
    INFO("stdout: " << text.out << "\nstderr: " << text.err);
    REQUIRE(text.code == 0);
    CHECK(contains(text.out, "builtin"));
    CHECK(contains(text.out, "GQA"));
    CHECK(contains(text.out, "byte-level"));
    CHECK(contains(text.out, std::to_string(kv_per_layer) + " B"));
    CHECK(contains(text.out, std::to_string(kv_per_layer * c.n_layers) + " B"));
    CHECK(contains(text.out, "KiB"));
    CHECK(contains(text.out, "token_embd.weight"));
    std::string embd_shape = "[";  // built by appending: GCC 12 warns falsely on "[" + string
    embd_shape += std::to_string(c.vocab) + " x " + std::to_string(c.d_model) + "]";
    CHECK(contains(text.out, embd_shape));

    const JsonValue json = infoJson("builtin:demo");
    for (const char* key : {"reference", "format", "format_label", "file_bytes", "name",
                            "architecture", "shape", "parameters", "weight_bytes", "tensor_types",
                            "tokenizer", "kv_cache", "tensors", "metadata"}) {
        INFO(key);
        CHECK(json.has(key));
    }
    CHECK(json["format"].string == "builtin");
    CHECK(json["name"].string == c.name);
    const JsonValue& shape = json["shape"];
    CHECK(shape["n_layers"].number == c.n_layers);
    CHECK(shape["n_heads"].number == c.n_heads);
    CHECK(shape["n_kv_heads"].number == c.n_kv_heads);
    CHECK(shape["head_dim"].number == c.head_dim);
    CHECK(shape["attention_variant"].string == "GQA");
    CHECK(shape["kv_group_size"].number == c.n_heads / c.n_kv_heads);
    CHECK(shape["context_length"].number == c.max_context);
    CHECK_FALSE(shape.has("trained_context"));  // not a known model

    const JsonValue& kv = json["kv_cache"];
    CHECK(kv["bytes_per_token_per_layer"]["fp32"].number == kv_per_layer);
    CHECK(kv["bytes_per_token_per_layer"]["fp16"].number == kv_per_layer / 2);
    CHECK(kv["bytes_per_token"]["fp32"].number == kv_per_layer * c.n_layers);
    CHECK(kv["bytes_per_token"]["fp16"].number == kv_per_layer * c.n_layers / 2);
    CHECK(kv["bytes_at_context_length"]["fp32"].number ==
          double(kv_per_layer * c.n_layers * c.max_context));

    CHECK(json["parameters"].number == c.parameterCount());
    CHECK(json["weight_bytes"].number == 4.0 * c.parameterCount());
    CHECK(json["weight_bytes"].number == sumTensorBytes(json));
    const std::size_t n_tensors = 2 + 9 * std::size_t(c.n_layers) + (c.tied_output ? 0 : 1);
    CHECK(json["tensors"].size() == n_tensors);
    CHECK(typeCounts(json) == std::vector<std::string>{"F32:" + std::to_string(n_tensors)});
    const JsonValue* wk = findTensor(json, "blk.0.attn_k.weight");
    REQUIRE(wk != nullptr);
    CHECK((*wk)["shape"].size() == 2);
    CHECK((*wk)["shape"][0].number == c.kvDim());  // [rows x cols] = [kv_dim x d_model]
    CHECK((*wk)["shape"][1].number == c.d_model);

    const JsonValue& tokenizer = json["tokenizer"];
    CHECK(tokenizer["model"].string == "byte-level");
    CHECK(tokenizer["vocab"].number == c.vocab);
    CHECK(tokenizer["bos"]["id"].number == model->tokenizer->bos());
    CHECK(tokenizer["bos"]["label"].string == "<s>");
    CHECK(tokenizer["eos"]["label"].string == "</s>");
    CHECK(json["metadata"].size() == 0);
}

TEST_CASE("info on stories260K.gguf: GGUF v3, GQA 8/4, 1280 B per token in fp32",
          "[cli][info][real-model]") {
    const auto path = kvscope::test::realModelPath("stories260K.gguf");
    if (!path) return;

    const auto text = info(*path, false);
    INFO("stdout: " << text.out << "\nstderr: " << text.err);
    REQUIRE(text.code == 0);
    CHECK(contains(text.out, "GGUF v3"));
    CHECK(contains(text.out, "256 B"));   // per token and layer, fp32
    CHECK(contains(text.out, "1280 B"));  // per token, 5 layers, fp32
    CHECK(contains(text.out, "llama (SentencePiece BPE)"));
    CHECK(contains(text.out, "tokenizer.ggml.tokens"));
    CHECK(contains(text.out, "[512 x string]"));
    CHECK(contains(text.out, "trained context   512 (tinyllamas stories260K"));
    CHECK(contains(text.out, "\n  runs              yes\n"));

    const JsonValue json = infoJson(*path);
    CHECK(json["format"].string == "gguf");
    CHECK(json["gguf_version"].number == 3);
    CHECK(json["file_bytes"].number == double(std::filesystem::file_size(*path)));
    CHECK(json["architecture"].string == "llama");
    const JsonValue& shape = json["shape"];
    CHECK(shape["n_layers"].number == 5);
    CHECK(shape["d_model"].number == 64);
    CHECK(shape["n_heads"].number == 8);
    CHECK(shape["n_kv_heads"].number == 4);
    CHECK(shape["attention_variant"].string == "GQA");
    CHECK(shape["kv_group_size"].number == 2);
    CHECK(shape["head_dim"].number == 8);
    CHECK(shape["d_ff"].number == 172);
    CHECK(shape["vocab"].number == 512);
    CHECK(shape["context_length"].number == 2048);  // what the v3 file says
    CHECK(shape["trained_context"].number == 512);  // what the model was trained at
    CHECK_FALSE(shape["tied_output"].boolean);
    CHECK(json["kv_cache"]["bytes_per_token_per_layer"]["fp32"].number == 256);
    CHECK(json["kv_cache"]["bytes_per_token"]["fp32"].number == 1280);
    CHECK(json["kv_cache"]["bytes_per_token"]["fp16"].number == 640);
    CHECK(json["kv_cache"]["bytes_at_context_length"]["fp32"].number == 1280.0 * 2048);

    CHECK(json["tensors"].size() == 48);
    CHECK(typeCounts(json) == std::vector<std::string>{"F32:48"});
    CHECK(json["weight_bytes"].number == sumTensorBytes(json));
    CHECK(json["weight_bytes"].number == 4 * json["parameters"].number);
    CHECK(json["weight_bytes"].number < json["file_bytes"].number);
    const JsonValue* embd = findTensor(json, "token_embd.weight");
    REQUIRE(embd != nullptr);
    CHECK((*embd)["shape"][0].number == 512);  // outermost first
    CHECK((*embd)["ne"][0].number == 64);      // as GGUF stores it, ne[0] first

    const JsonValue& tokenizer = json["tokenizer"];
    CHECK(tokenizer["gguf_model"].string == "llama");
    CHECK(tokenizer["vocab"].number == 512);
    CHECK(tokenizer["bos"]["id"].number == 1);
    CHECK(tokenizer["bos"]["label"].string == "<s>");
    CHECK(tokenizer["eos"]["id"].number == 2);
    CHECK(tokenizer["eos"]["label"].string == "</s>");

    const JsonValue* arch = findKey(json, "general.architecture");
    REQUIRE(arch != nullptr);
    CHECK((*arch)["type"].string == "string");
    CHECK((*arch)["value"].string == "llama");
    const JsonValue* heads = findKey(json, "llama.attention.head_count_kv");
    REQUIRE(heads != nullptr);
    CHECK((*heads)["value"].number == 4);  // a number, not text
    const JsonValue* tokens = findKey(json, "tokenizer.ggml.tokens");
    REQUIRE(tokens != nullptr);
    CHECK((*tokens)["type"].string == "array[string]");
    CHECK((*tokens)["value"].string == "[512 x string]");
    CHECK((*tokens)["count"].number == 512);
}

TEST_CASE("info on the Q8_0 stories260K: GGUF v2, 37 Q8_0 + 11 F32 tensors",
          "[cli][info][real-model]") {
    const auto path = kvscope::test::realModelPath("tinyllamas-stories-260k-q8_0.gguf");
    if (!path) return;
    const JsonValue json = infoJson(*path);
    CHECK(json["gguf_version"].number == 2);
    CHECK(json["format_label"].string == "GGUF v2");
    CHECK(json["tensors"].size() == 48);
    CHECK(typeCounts(json) == std::vector<std::string>{"Q8_0:37", "F32:11"});
    CHECK(json["weight_bytes"].number == sumTensorBytes(json));
    CHECK(json["kv_cache"]["bytes_per_token"]["fp32"].number == 1280);
    CHECK(json["shape"]["context_length"].number == 512);  // the v2 file says 512 itself
    CHECK_FALSE(json["shape"].has("trained_context"));
    const JsonValue* down = findTensor(json, "blk.0.ffn_down.weight");
    REQUIRE(down != nullptr);
    CHECK((*down)["type"].string == "Q8_0");
    CHECK((*down)["shape"][0].number == 64);
    CHECK((*down)["shape"][1].number == 172);
    // Q8_0: 34 bytes per 32 values.
    CHECK((*down)["bytes"].number == 64 * 172 / 32 * 34);

    const auto text = info(*path, false);
    REQUIRE(text.code == 0);
    CHECK(contains(text.out, "GGUF v2"));
    CHECK(contains(text.out, "Q8_0"));
    CHECK(contains(text.out, "37 tensors"));
    CHECK(contains(text.out, "11 tensors"));
}

TEST_CASE("info describes a GGUF that cannot be run, from its header alone", "[cli][info]") {
    using namespace kvscope;
    using namespace kvscope::test;
    // qwen2 architecture, gpt2 tokenizer without merges, one Q6_K tensor (zeros) and no others.
    const std::int64_t d_model = 256, vocab = 8, q6k_block_bytes = 210;
    std::vector<std::string> pieces;
    for (int i = 0; i < vocab; ++i)
        pieces.push_back(std::string(1, 't') + std::to_string(i));
    GgufWriter writer(3);
    writer.kv("general.architecture", ggufStr("qwen2"))
        .kv("qwen2.block_count", ggufU32(1))
        .kv("qwen2.context_length", ggufU32(32768))
        .kv("qwen2.embedding_length", ggufU32(std::uint32_t(d_model)))
        .kv("qwen2.feed_forward_length", ggufU32(512))
        .kv("qwen2.attention.head_count", ggufU32(4))
        .kv("qwen2.attention.head_count_kv", ggufU32(1))
        .kv("qwen2.rope.freq_base", ggufF32(1e6f))
        .kv("tokenizer.ggml.model", ggufStr("gpt2"))
        .kv("tokenizer.ggml.tokens", ggufStrings(pieces))
        .kv("tokenizer.ggml.bos_token_id", ggufU32(7))
        .kv("tokenizer.ggml.eos_token_id", ggufU32(99))  // outside the vocabulary
        .tensor("token_embd.weight", GgmlType::Q6_K, {std::uint64_t(d_model), std::uint64_t(vocab)},
                std::vector<std::byte>(std::size_t(vocab * q6k_block_bytes)));
    GgufTempDir dir;
    const std::string path = dir.file("qwen2-like.gguf");
    writeBytes(path, writer.build());
    CHECK_THROWS_AS(loadModel(path), InputError);  // it cannot be run

    const JsonValue json = infoJson(path);
    CHECK(json["architecture"].string == "qwen2");
    CHECK_FALSE(json["runs"].boolean);
    CHECK_FALSE(json["cannot_run"].string.empty());
    CHECK(json["shape"]["attention_variant"].string == "MQA");
    CHECK(json["shape"]["head_dim"].number == 64);
    CHECK(json["shape"]["context_length"].number == 32768);
    CHECK(json["shape"]["rope_theta"].number == 1e6);
    CHECK(json["shape"]["tied_output"].boolean);
    CHECK(json["kv_cache"]["bytes_per_token"]["fp32"].number == 2 * 1 * 64 * 4);
    CHECK(typeCounts(json) == std::vector<std::string>{"Q6_K:1"});
    CHECK(json["weight_bytes"].number == double(vocab * q6k_block_bytes));
    CHECK(json["tokenizer"]["model"].string == "gpt2 (byte-level BPE)");
    CHECK(json["tokenizer"]["bos"]["label"].string == "t7");
    CHECK(json["tokenizer"]["eos"]["id"].number == 99);
    CHECK(json["tokenizer"]["eos"]["label"].isNull());

    const auto text = info(path, false);
    REQUIRE(text.code == 0);
    CHECK(contains(text.out, "MQA"));
    CHECK(contains(text.out, "Q6_K"));
    CHECK(contains(text.out, "99 (outside the vocabulary)"));
}

TEST_CASE("info says whether a GGUF runs, and names what stops it", "[cli][info]") {
    using namespace kvscope;
    using namespace kvscope::test;
    const ModelConfig c = tinyConfig(4, 2);  // d_model 32, 4 query heads, 2 KV heads of 8
    const ModelWeights w = randomWeights(c, 5);
    GgufTempDir dir;
    const auto describe = [&](const std::string& name, const GgufWriter& writer) {
        const std::string path = dir.file(name);
        writeBytes(path, writer.build());
        return infoJson(path);
    };

    SECTION("a llama file runs") {
        const JsonValue json = describe("runs.gguf", archModelWriter("llama", c, w));
        CHECK(json["runs"].boolean);
        CHECK(json["cannot_run"].isNull());
        const auto text = info(dir.file("runs.gguf"), false);
        CHECK(contains(text.out, "\n  runs              yes\n"));
    }
    SECTION("another architecture is sized, and named as not run") {
        const JsonValue json = describe("mamba9.gguf", archModelWriter("mamba9", c, w));
        CHECK_FALSE(json["runs"].boolean);
        CHECK_THAT(json["cannot_run"].string,
                   Contains("architecture 'mamba9' is not supported for running"));
        CHECK(json["shape"]["d_model"].number == 32);
        const auto text = info(dir.file("mamba9.gguf"), false);
        CHECK(contains(text.out, "  runs              no: GGUF "));
        CHECK(contains(text.out, "architecture 'mamba9' is not supported for running"));
    }
    SECTION("a tensor type KVScope does not compute is named with its tensor") {
        GgufWriter writer = archModelWriter("llama", c, w, {}, {"blk.0.attn_q.weight"});
        // [32 x 32] = 1024 values = 4 IQ2_XXS blocks of 256 values in 66 bytes.
        writer.tensor("blk.0.attn_q.weight", GgmlType::IQ2_XXS, {32, 32},
                      std::vector<std::byte>(4 * 66));
        const JsonValue json = describe("iq2.gguf", writer);
        CHECK_FALSE(json["runs"].boolean);
        CHECK_THAT(json["cannot_run"].string,
                   Contains("tensor 'blk.0.attn_q.weight' has type IQ2_XXS"));
        CHECK(typeCounts(json) == std::vector<std::string>{"F32:20", "IQ2_XXS:1"});
    }
    SECTION("a tensor of the wrong shape is named with the shape expected") {
        GgufWriter writer = archModelWriter("llama", c, w, {}, {"blk.1.attn_k.weight"});
        // attn_k is [16 rows x 32 cols] (2 KV heads x 8): GGUF dims [32, 16]; written [16, 32].
        addArchMatrix(writer, "blk.1.attn_k.weight", w.layers[1].wk.toMatrix().transpose());
        const JsonValue json = describe("shape.gguf", writer);
        CHECK_FALSE(json["runs"].boolean);
        CHECK_THAT(json["cannot_run"].string,
                   Contains("tensor 'blk.1.attn_k.weight' has dims [16, 32], expected [32, 16]"));
    }
    SECTION("a header without attention keys (a Mamba file) is described without a shape") {
        GgufWriter writer(3);
        writer.kv("general.architecture", ggufStr("mamba"))
            .kv("mamba.context_length", ggufU32(1048576))
            .kv("mamba.embedding_length", ggufU32(64))
            .kv("mamba.block_count", ggufU32(2))
            .kv("mamba.ssm.state_size", ggufU32(16))
            .tensorF32("token_embd.weight", {64, 10}, std::vector<float>(640, 0.5f));
        const JsonValue json = describe("mamba.gguf", writer);
        CHECK(json["architecture"].string == "mamba");
        CHECK(json["name"].string == "mamba.gguf");
        CHECK_FALSE(json["runs"].boolean);
        CHECK(json["shape"].isNull());
        CHECK(json["kv_cache"].isNull());
        CHECK_THAT(json["shape_problem"].string,
                   Contains("missing key 'mamba.feed_forward_length'"));
        CHECK(json["cannot_run"].string == json["shape_problem"].string);
        CHECK(json["parameters"].number == 640);
        CHECK(json["weight_bytes"].number == 640 * 4);
        REQUIRE(json["tensors"].size() == 1);
        CHECK(findKey(json, "mamba.ssm.state_size") != nullptr);
        const auto text = info(dir.file("mamba.gguf"), false);
        REQUIRE(text.code == 0);
        CHECK(contains(text.out, "  not read          GGUF "));
        CHECK(contains(text.out, "missing key 'mamba.feed_forward_length'"));
        CHECK_FALSE(contains(text.out, "KV cache ("));
        CHECK(contains(text.out, "token_embd.weight"));
    }
}

TEST_CASE("info on a llama2.c checkpoint lists its fp32 weights", "[cli][info]") {
    using namespace kvscope;
    using namespace kvscope::test;
    const ModelConfig c = llama2cConfig(false);
    TempDir dir;
    writeFile(dir / "tiny.bin", llama2cCheckpointBytes(c, randomWeights(c, 3)));
    writeFile(dir / "tokenizer.bin", llama2cTokenizerBytes(smallLlama2cVocab(c.vocab)));
    const std::string path = (dir / "tiny.bin").string();

    const JsonValue json = infoJson(path);
    CHECK(json["format"].string == "llama2c");
    CHECK(json["format_label"].string == "llama2.c");
    CHECK(json["file_bytes"].number == double(std::filesystem::file_size(path)));
    CHECK(json["shape"]["context_length"].number == 32);
    CHECK(json["tensors"].size() == 2 + 9 * 2 + 1);
    CHECK(json["parameters"].number == c.parameterCount());
    CHECK(json["kv_cache"]["bytes_per_token"]["fp32"].number == 2 * 2 * (2 * 4) * 4);
    CHECK(json["tokenizer"]["model"].string == "llama (SentencePiece BPE)");
    CHECK(json["tokenizer"]["vocab"].number == 40);
    CHECK(json["tokenizer"]["bos"]["label"].string == "<s>");
}

TEST_CASE("info rejects a missing file, a file that is no model, and a broken GGUF",
          "[cli][info][errors]") {
    kvscope::test::GgufTempDir dir;
    const std::string missing = dir.file("missing.gguf");
    const std::string text_file = dir.file("notes.txt");
    const std::string broken = dir.file("broken.gguf");
    kvscope::test::writeBytes(text_file, {std::byte{'h'}, std::byte{'i'}});
    kvscope::test::writeBytes(
        broken, {std::byte{'G'}, std::byte{'G'}, std::byte{'U'}, std::byte{'F'}, std::byte{3}});

    for (const auto& [path, message] :
         {std::pair{missing, "no such file"}, std::pair{text_file, "neither a GGUF file"},
          std::pair{broken, "GGUF"}}) {
        for (bool json : {false, true}) {
            const auto result = info(path, json);
            INFO(path << (json ? " --json" : "") << ": " << result.err);
            CHECK(result.code == 2);
            CHECK(result.out.empty());
            CHECK_THAT(result.err, Contains("--model") && Contains(path) && Contains(message));
        }
    }
    const auto no_model = runCliCaptured({"info"});
    CHECK(no_model.code == 2);
    CHECK_THAT(no_model.err, Contains("--model"));
}

TEST_CASE("info escapes what a GGUF says before it reaches the terminal", "[cli][info]") {
    using namespace kvscope;
    using namespace kvscope::test;
    // Issue #16: an ESC sequence in general.name set the terminal's title; CR/LF in a key or a
    // tensor name faked output lines; a C1 CSI (U+009B) and a stray byte did the same in a value.
    const std::string title_escape = "\x1b]0;pwned\x07";
    GgufWriter writer(3);
    writer.kv("general.architecture", ggufStr("llama"))
        .kv("general.name", ggufStr("evil" + title_escape))
        .kv("llama.block_count", ggufU32(1))
        .kv("llama.context_length", ggufU32(64))
        .kv("llama.embedding_length", ggufU32(4))
        .kv("llama.feed_forward_length", ggufU32(8))
        .kv("llama.attention.head_count", ggufU32(1))
        .kv("llama.attention.head_count_kv", ggufU32(1))
        .kv("tokenizer.ggml.tokens", ggufStrings({"<unk>", "<s>", "</s>", "a"}))
        .kv("evil.key\r\nfake: line", ggufStr("csi \xc2\x9b"
                                              "31m and \xff"))
        .tensor("tensor\nname", GgmlType::F32, {4}, std::vector<std::byte>(16));
    GgufTempDir dir;
    const std::string path = dir.file("evil.gguf");
    writeBytes(path, writer.build());

    const auto text = info(path, false);
    INFO(text.err);
    REQUIRE(text.code == 0);
    for (char c : text.out) {
        const auto byte = static_cast<unsigned char>(c);
        INFO("byte " << int(byte));
        CHECK((byte >= 0x20 || c == '\n'));
        CHECK(byte != 0x7f);
    }
    CHECK(text.out.find("\xc2\x9b") == std::string::npos);
    CHECK(contains(text.out, "evil\\x1B]0;pwned\\x07"));
    CHECK(contains(text.out, "evil.key\\x0D\\x0Afake: line"));
    CHECK(contains(text.out, "csi \\u009B31m and \\xFF"));
    CHECK(contains(text.out, "tensor\\x0Aname"));
    // JSON carries the real bytes, escaped as JSON escapes them.
    const JsonValue json = infoJson(path);
    CHECK(json["name"].string == "evil" + title_escape);
}

TEST_CASE("info prints a gemma2 file's architecture and its local/global layers", "[cli][info]") {
    using namespace kvscope;
    using namespace kvscope::test;
    ModelConfig c = tinyConfig(4, 2);
    c.n_layers = 4;
    c.post_norms = true;
    const ModelWeights w = randomWeights(c, 21);
    GgufTempDir dir;
    const std::string path = dir.file("gemma2-tiny.gguf");
    // llama.cpp's gemma2 rule: sliding_window_pattern 2 by default, layers 0 and 2 local.
    writeBytes(
        path,
        archModelWriter("gemma2", c, w, {{"gemma2.attention.sliding_window", ggufU32(5)}}).build());
    const JsonValue json = infoJson(path);
    CHECK(json["architecture"].string == "gemma2");
    CHECK(json["shape"]["sliding_window"].number == 5);
    REQUIRE(json["shape"]["local_layers"].array.size() == 2);
    CHECK(json["shape"]["local_layers"].array[0].number == 0);
    CHECK(json["shape"]["local_layers"].array[1].number == 2);
    const auto text = info(path, false);
    REQUIRE(text.code == 0);
    CHECK(contains(text.out, "layer pattern     2 local (window 5), 2 global: LGLG"));
    CHECK(contains(text.out, "architecture      gemma2"));
}

TEST_CASE("info prints a phi3 file's window on every layer, and says llama.cpp ignores it",
          "[cli][info]") {
    using namespace kvscope;
    using namespace kvscope::test;
    ModelConfig c = tinyConfig(4, 2);
    c.arch = Architecture::Phi3;
    c.rope_style = RopeStyle::Halves;
    const ModelWeights w = randomWeights(c, 22);
    GgufTempDir dir;
    const std::string path = dir.file("phi3-tiny.gguf");
    writeBytes(
        path,
        archModelWriter("phi3", c, w, {{"phi3.attention.sliding_window", ggufU32(5)}}).build());
    const auto text = info(path, false);
    REQUIRE(text.code == 0);
    CHECK(contains(text.out, "layer pattern     2 local (window 5), 0 global: LL\n"));
    CHECK(contains(text.out,
                   "(phi3.attention.sliding_window on every layer, as Hugging Face's "
                   "Phi-3; llama.cpp ignores it)"));
    CHECK_FALSE(contains(text.out, "rope scaling"));
    const JsonValue json = infoJson(path);
    CHECK(json["shape"]["sliding_window"].number == 5);
    CHECK(json["shape"]["local_layers"].array.size() == 2);
    CHECK(json["shape"]["rope_scaling"].string == "none");
}

TEST_CASE("info names a LongRoPE file's factor set at its context and its attention factor",
          "[cli][info]") {
    // tests/data/arch/phi3-longrope-f32.gguf: context 8192, original 256, attention factor
    // sqrt(1 + ln(8192 / 256) / ln(256)) = sqrt(1.625) = 1.2748.
    const std::string path = std::string(KVSCOPE_TEST_DATA_DIR) + "/arch/phi3-longrope-f32.gguf";
    const auto text = info(path, false);
    REQUIRE(text.code == 0);
    CHECK(contains(text.out,
                   "rope scaling      LongRoPE long factors (context 8192 > original "
                   "256), attention factor 1.275 (cos and sin scaled), at this context"));
    CHECK(contains(text.out, "layer pattern     all 2 global"));  // its window 262144 > 8192
    const JsonValue json = infoJson(path);
    CHECK(json["shape"]["rope_scaling"].string == "longrope");
    CHECK(json["shape"]["rope_original_context"].number == 256);
    CHECK(json["shape"]["rope_attn_factor"].number == Approx(std::sqrt(1.625)).epsilon(1e-6));
}

// Attention variants, KV curves and the Memory view's study: hand calculations and field-named
// errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/memory/memory_study.h"
#include "core/memory/model_file.h"
#include "core/memory/model_presets.h"
#include "core/model/random_weights.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/llama2c_writer.h"
#include "tests/core/test_util.h"

using namespace kvscope;

namespace {

const ModelShape& preset(const char* name) {
    return findModelPreset(name).shape;
}

std::int64_t fp16PerToken(const ModelShape& shape) {
    return kvTokenLayerBytes(shape, CacheSpec{}, shape.n_kv_heads) * shape.nTokenLayers();
}

const AttentionVariantShape* find(const std::vector<AttentionVariantShape>& variants,
                                  std::string_view start) {
    for (const AttentionVariantShape& v : variants) {
        if (v.label.rfind(start, 0) == 0) return &v;
    }
    return nullptr;
}

MemoryScenario scenario(const char* name, std::int64_t context) {
    MemoryScenario s;
    s.shape = preset(name);
    s.workload.context = context;
    return s;
}

MemoryField fieldOf(const MemoryScenario& s) {
    try {
        studyMemory(s);
    } catch (const MemoryInputError& e) {
        return e.field();
    }
    FAIL("expected a MemoryInputError");
    return MemoryField::Workload;
}

}  // namespace

TEST_CASE("Attention variants of an MHA model: hand calculations", "[memory][variants]") {
    const std::vector<AttentionVariantShape> v = attentionVariants(preset("llama-2-7b"));
    REQUIRE(v.size() == 4);  // as-is (MHA), GQA-8, MQA, MLA: no second MHA row
    CHECK(v[0].as_is);
    CHECK(v[0].label == "as-is (MHA)");
    CHECK(v[0].short_label == "as-is");
    CHECK(v.back().short_label == "MLA");
    CHECK(fp16PerToken(v[0].shape) == 524288);  // 2 x 32 heads x 128 x 2 B x 32 layers
    REQUIRE(find(v, "GQA-8"));
    CHECK(fp16PerToken(find(v, "GQA-8")->shape) == 2 * 32 * 8 * 128 * 2);
    REQUIRE(find(v, "MQA"));
    CHECK(find(v, "MQA")->shape.attention == AttentionKind::MQA);
    CHECK(fp16PerToken(find(v, "MQA")->shape) == 2 * 32 * 1 * 128 * 2);
    const AttentionVariantShape* mla = find(v, "MLA");
    REQUIRE(mla);
    CHECK(mla->label.find("hypothetical") != std::string::npos);
    CHECK(fp16PerToken(mla->shape) == (512 + 64) * 2 * 32);  // one latent, no factor 2
    CHECK(mla->shape.origin("kv_lora_rank").find("DeepSeek-V2") != std::string_view::npos);
}

TEST_CASE("Attention variants of an MLA model expand its latent", "[memory][variants]") {
    const std::vector<AttentionVariantShape> v = attentionVariants(preset("deepseek-v2"));
    CHECK(v[0].label == "as-is (MLA)");
    CHECK(fp16PerToken(v[0].shape) == 69120);
    REQUIRE(find(v, "MHA"));
    // 128 heads x (K 192 + V 128) x 2 B x 60 layers: what a decompressed cache holds.
    CHECK(fp16PerToken(find(v, "MHA")->shape) == 128 * (192 + 128) * 2 * 60);
    CHECK(fp16PerToken(find(v, "MQA")->shape) == (192 + 128) * 2 * 60);
    int n_mla = 0;
    for (const AttentionVariantShape& variant : v)
        n_mla += variant.shape.attention == AttentionKind::MLA;
    CHECK(n_mla == 1);  // only the model's own latent
}

TEST_CASE("A GQA-8 model gets no second GQA-8 row, and every preset's variants validate",
          "[memory][variants]") {
    const std::vector<AttentionVariantShape> v = attentionVariants(preset("llama-3-8b"));
    CHECK(v[0].label == "as-is (GQA)");
    CHECK_FALSE(find(v, "GQA-8"));
    CHECK(find(v, "MHA"));
    for (const ModelPreset& p : modelPresets()) {
        INFO(p.preset);
        const std::vector<AttentionVariantShape> all = attentionVariants(p.shape);
        CHECK(all.size() >= 2);
        for (const AttentionVariantShape& variant : all)
            CHECK_NOTHROW(variant.shape.validate());
    }
}

TEST_CASE("KV curves bend at the sliding window and hit the estimator's numbers",
          "[memory][variants]") {
    const ModelShape& mistral = preset("mistral-7b-v0.1");  // every layer windowed at 4096
    const std::vector<std::int64_t> contexts = curveContexts(mistral, CacheSpec{}, 32768, 5000, 8);
    CHECK(contexts.front() == 0);
    CHECK(contexts.back() == 32768);
    CHECK(std::count(contexts.begin(), contexts.end(), 4096) == 1);  // the window
    CHECK(std::count(contexts.begin(), contexts.end(), 5000) == 1);  // the marker
    const KvCurve curve = kvSequenceCurve(mistral, CacheSpec{}, contexts);
    REQUIRE(curve.bytes.size() == contexts.size());
    CHECK(curve.bytes.front() == 0);
    CHECK(curve.bytes.back() == 4096 * std::int64_t(131072));  // holds only its window
    const MemoryStudy study = studyMemory(scenario("mistral-7b-v0.1", 32768));
    CHECK(study.report.kv_bytes_per_sequence == 4096 * std::int64_t(131072));
    CHECK(study.variants[0].curve.bytes.back() == study.report.kv_bytes_per_sequence);
}

TEST_CASE("KV curves equal kvSequenceBytes at every sample, for every kind of layer",
          "[memory][variants]") {
    ModelShape vision = preset("llama-2-7b");
    vision.cross_attention_layers = {3, 8, 13};  // hold encoder states: no text tokens
    for (const ModelShape* shape :
         {&preset("gemma-2-9b"), &preset("gpt-oss-20b"), &preset("deepseek-v2"),
          &preset("mistral-7b-v0.1"), static_cast<const ModelShape*>(&vision)}) {
        INFO(shape->name);
        for (const KvDtypeInfo& info : kvDtypes()) {
            CacheSpec cache;
            cache.k_dtype = cache.v_dtype = info.dtype;
            const KvCurve curve =
                kvSequenceCurve(*shape, cache, curveContexts(*shape, cache, 20000, 777, 17));
            for (std::size_t i = 0; i < curve.contexts.size(); ++i) {
                CHECK(curve.bytes[i] ==
                      kvSequenceBytes(*shape, cache, shape->n_kv_heads, curve.contexts[i]));
            }
        }
    }
}

TEST_CASE("The memory study: one report per variant, a curve per dtype", "[memory][variants]") {
    MemoryScenario s = scenario("llama-2-7b", 4096);
    s.gpu.bytes = 80000000000;
    const MemoryStudy study = studyMemory(s);
    CHECK(study.context_max == 4096);
    REQUIRE(study.variants.size() == 4);
    for (const VariantStudy& v : study.variants) {
        INFO(v.variant.label);
        REQUIRE(v.ok);
        const MemoryReport direct =
            estimateMemory(v.variant.shape, s.cache, s.workload, s.weights, s.gpu);
        CHECK(v.report.kv_bytes_per_sequence == direct.kv_bytes_per_sequence);
        CHECK(v.report.max_seq == direct.max_seq);
        CHECK(v.curve.bytes.back() == direct.kv_bytes_per_sequence);
    }
    REQUIRE(study.dtypes.size() == kvDtypes().size());
    for (const DtypeCurve& d : study.dtypes) {
        CacheSpec cache;
        cache.k_dtype = cache.v_dtype = d.dtype;
        CHECK(d.curve.bytes.back() == kvSequenceBytes(s.shape, cache, 32, 4096));
    }
    std::int64_t sum = 0;
    for (const MemorySegment& segment : perGpuSegments(study.report))
        sum += segment.bytes;
    CHECK(sum == study.report.weights_bytes_per_gpu + study.report.kv_bytes_per_gpu);
}

TEST_CASE("A variant the tensor-parallel degree does not fit reports why", "[memory][variants]") {
    MemoryScenario s = scenario("llama-2-13b", 4096);  // 40 heads
    s.workload.tp = 5;
    const MemoryStudy study = studyMemory(s);
    bool gqa_failed = false;
    for (const VariantStudy& v : study.variants) {
        if (v.variant.label == "GQA-8") {
            gqa_failed = !v.ok && v.error.find("8 KV heads") != std::string::npos;
        } else {
            CHECK(v.ok);
        }
    }
    CHECK(gqa_failed);
}

TEST_CASE("Bad memory inputs name their field", "[memory][variants]") {
    MemoryScenario s = scenario("llama-2-7b", 4096);
    SECTION("context") {
        s.workload.context = 0;
        CHECK(fieldOf(s) == MemoryField::Context);
        s.workload.context = 1000000000000;
        CHECK(fieldOf(s) == MemoryField::Context);
        CHECK(test::inputErrorOf([&] { studyMemory(s); }).rfind("Context: ", 0) == 0);
    }
    SECTION("batch") {
        s.workload.batch = -1;
        CHECK(fieldOf(s) == MemoryField::Batch);
    }
    SECTION("shared prefix") {
        s.workload.shared_prefix = 5000;
        CHECK(fieldOf(s) == MemoryField::SharedPrefix);
    }
    SECTION("tensor parallel") {
        s.workload.tp = 3;
        CHECK(fieldOf(s) == MemoryField::TensorParallel);
        CHECK(
            test::inputErrorOf([&] { studyMemory(s); }) ==
            "Tensor parallel: 3 GPUs do not divide the 32 query heads of meta-llama/Llama-2-7b-hf");
    }
    SECTION("kivi2 on paged blocks") {
        s.cache.k_dtype = s.cache.v_dtype = KvDtype::KIVI2;
        CHECK(fieldOf(s) == MemoryField::KvDtype);
        s.cache.layout = KvLayout::Contiguous;
        CHECK_NOTHROW(studyMemory(s));
    }
    SECTION("model") {
        s.shape.n_kv_heads = 5;  // 32 heads are not divisible by 5
        CHECK(fieldOf(s) == MemoryField::Model);
        s.shape.n_kv_heads = 0;
        CHECK(fieldOf(s) == MemoryField::Model);
    }
}

TEST_CASE("Model files for the memory view: config.json, and a clear error otherwise",
          "[memory][variants]") {
    const std::string json = "/tmp/kvscope_test_variants_config.json";
    {
        std::ofstream out(json);
        out << R"({"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
                   "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000,
                   "max_position_embeddings": 8192, "intermediate_size": 14336})";
    }
    const ModelFileShape file = readModelFileShape(json);
    CHECK(file.shape.attention == AttentionKind::GQA);
    CHECK(fp16PerToken(file.shape) == 131072);
    CHECK(file.layout.ffn_matrices == 3);
    std::remove(json.c_str());
    const std::string text = "/tmp/kvscope_test_variants_notes.txt";
    {
        std::ofstream out(text);
        out << "not a model";
    }
    CHECK(test::inputErrorOf([&] { readModelFileShape(text); }).find(text) != std::string::npos);
    std::remove(text.c_str());
}

TEST_CASE("Model files for the memory view: a llama2.c checkpoint's header, no tokenizer needed",
          "[memory][variants]") {
    const test::TempDir dir;
    const ModelConfig config = test::llama2cConfig(false);  // 2 layers, 4 heads over 2 KV of 4
    const std::string bytes = test::llama2cCheckpointBytes(config, randomWeights(config, 7));
    test::writeFile(dir / "tiny.bin", bytes);
    const ModelFileShape file = readModelFileShape((dir / "tiny.bin").string());
    CHECK(file.shape.attention == AttentionKind::GQA);
    // K and V, 2 KV heads of 4 values, 2 layers, fp16: 2 x 2 x 4 x 2 x 2 B = 64 B per token.
    CHECK(fp16PerToken(file.shape) == 64);
    CHECK_FALSE(file.layout.tied_output);
    CHECK(file.shape.source.find("llama2.c") != std::string::npos);

    // One byte short: the header no longer matches the size, and the error says so.
    test::writeFile(dir / "short.bin", bytes.substr(0, bytes.size() - 1));
    const std::string message =
        test::inputErrorOf([&] { readModelFileShape((dir / "short.bin").string()); });
    CHECK(message.find("header implies") != std::string::npos);
}

TEST_CASE("Model files for the memory view: stories260K.gguf at its training context",
          "[memory][variants][real-model]") {
    const auto path = test::realModelPath("stories260K.gguf");
    if (!path) return;
    // The GGUF states 2048 positions; the model was trained at 512, as its llama2.c .bin says and
    // as loadModel runs it: the memory view's default context is 512 too.
    CHECK(readModelFileShape(*path).shape.max_context == 512);
}

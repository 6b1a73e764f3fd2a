// The memory estimator against published per-token figures, hand calculations and the live cache.
#include <catch2/catch.hpp>

#include <vector>

#include "core/engine/session.h"
#include "core/memory/gpu_presets.h"
#include "core/memory/memory_estimator.h"
#include "core/memory/model_presets.h"
#include "core/model/model_source.h"
#include "core/util/error.h"
#include "tests/core/gguf_test_files.h"

using namespace kvscope;

namespace {

const ModelShape& preset(const char* name) {
    return findModelPreset(name).shape;
}

CacheSpec fp16Paged(std::int64_t block = 16) {
    CacheSpec spec;
    spec.block_size = block;
    return spec;
}

std::int64_t perToken(const ModelShape& shape, KvDtype dtype = KvDtype::F16) {
    CacheSpec spec;
    spec.k_dtype = spec.v_dtype = dtype;
    return kvTokenLayerBytes(shape, spec, shape.n_kv_heads) * shape.nTokenLayers();
}

MemoryReport estimate(const ModelShape& shape, const CacheSpec& cache, const Workload& w,
                      std::int64_t gpu_bytes = 0) {
    GpuSpec gpu;
    gpu.bytes = gpu_bytes;
    return estimateMemory(shape, cache, w, WeightSpec{}, gpu);
}

}  // namespace

TEST_CASE("Published fp16 KV bytes per token", "[memory]") {
    // 2 (K and V) x n_kv_heads x head_dim x 2 B x n_layers:
    CHECK(perToken(preset("llama-2-7b")) == 524288);   // 2 x 32 x 128 x 2 x 32
    CHECK(perToken(preset("llama-2-13b")) == 819200);  // 2 x 40 x 128 x 2 x 40
    CHECK(perToken(preset("llama-2-70b")) == 327680);  // 2 x 8 x 128 x 2 x 80 (GQA)
    CHECK(perToken(preset("llama-3-8b")) == 131072);   // 2 x 8 x 128 x 2 x 32
    // MLA: (kv_lora_rank 512 + qk_rope_head_dim 64) x 2 B x 60 layers, no factor 2.
    CHECK(perToken(preset("deepseek-v2")) == 69120);
    // MQA: Falcon-7B, 1 KV head of 4544 / 71 = 64: 2 x 1 x 64 x 2 x 32.
    CHECK(perToken(preset("falcon-7b")) == 8192);
    // Gemma 2 9B: head_dim 256 from the config (not 3584 / 16 = 224): 2 x 8 x 256 x 2 x 42.
    CHECK(perToken(preset("gemma-2-9b")) == 344064);
    // GPT-3 175B: 2 x 96 x 128 x 2 x 96 = 4.5 MiB per token.
    CHECK(perToken(preset("gpt-3-175b")) == 4718592);
}

TEST_CASE("Sliding-window layers hold only the window", "[memory]") {
    // Mistral 7B v0.1: every layer windowed at 4096; at 32k one sequence holds 4096 tokens.
    const ModelShape& mistral = preset("mistral-7b-v0.1");
    const MemoryReport r = estimate(mistral, fp16Paged(), {.context = 32768});
    CHECK(r.kv_bytes_per_token == 131072);
    CHECK(r.kv_bytes_per_sequence == 4096 * 131072);
    // Gemma 2 9B at 8192: 21 global layers x 8192 + 21 local layers x 4096, 8192 B per layer.
    const MemoryReport g = estimate(preset("gemma-2-9b"), fp16Paged(), {.context = 8192});
    CHECK(g.kv_bytes_per_sequence == (21 * 8192 + 21 * 4096) * std::int64_t(8192));
}

TEST_CASE("Paged blocks round up and report their waste", "[memory]") {
    const ModelShape& llama = preset("llama-3-8b");  // 4096 B per token and layer
    const MemoryReport r = estimate(llama, fp16Paged(16), {.context = 100, .batch = 3});
    // ceil(100 / 16) = 7 blocks per layer per sequence: 3 x 7 x 32 layers = 672 blocks.
    CHECK(r.per_gpu.paged_blocks == 672);
    CHECK(r.per_gpu.paged == 672 * 16 * std::int64_t(4096));
    // 12 empty slots per layer per sequence.
    CHECK(r.per_gpu.paged_waste == 3 * 32 * 12 * std::int64_t(4096));
    CHECK(r.per_gpu.used == 3 * 100 * std::int64_t(131072));
    CHECK(r.kv_bytes_per_gpu == r.per_gpu.paged);
}

TEST_CASE("A shared prefix is stored once: whole prefix token-exact, full blocks paged",
          "[memory]") {
    const ModelShape& llama = preset("llama-3-8b");
    const MemoryReport r =
        estimate(llama, fp16Paged(16), {.context = 1000, .batch = 4, .shared_prefix = 600});
    const std::int64_t tok = 131072;
    CHECK(r.per_gpu.shared == 600 * tok);
    CHECK(r.per_gpu.used == 600 * tok + 4 * 400 * tok);
    // floor(600 / 16) = 37 shared blocks (592 tokens); each sequence owns 408 tokens = 26 blocks.
    CHECK(r.per_gpu.paged_blocks == (37 + 4 * 26) * 32);
    // Contiguous regions are never shared.
    CHECK(r.per_gpu.contiguous == 4 * 1000 * tok);
}

TEST_CASE("Tensor parallel splits KV heads, or replicates them when there are fewer", "[memory]") {
    const ModelShape& llama = preset("llama-2-70b");  // 8 KV heads, 64 query heads
    CHECK(kvHeadsPerGpu(llama, 1) == 8);
    CHECK(kvHeadsPerGpu(llama, 4) == 2);
    CHECK(kvHeadsPerGpu(llama, 8) == 1);
    CHECK(kvHeadsPerGpu(llama, 16) == 1);  // each head on 2 GPUs
    const MemoryReport r4 = estimate(llama, fp16Paged(), {.context = 4096, .tp = 4});
    CHECK(r4.kv_bytes_per_gpu == 4096 * 327680 / 4);
    CHECK(r4.kv_bytes_total == 4096 * std::int64_t(327680));
    const MemoryReport r16 = estimate(llama, fp16Paged(), {.context = 4096, .tp = 16});
    CHECK(r16.kv_bytes_per_gpu == 4096 * 327680 / 8);
    CHECK(r16.kv_bytes_total == 2 * 4096 * std::int64_t(327680));  // replicated twice
    CHECK_THROWS_WITH(estimate(llama, fp16Paged(), {.context = 10, .tp = 3}),
                      Catch::Contains("does not divide"));
    // MLA's latent is replicated on every GPU.
    const MemoryReport mla = estimate(preset("deepseek-v2"), fp16Paged(), {.context = 16, .tp = 8});
    CHECK(mla.kv_bytes_per_gpu == 16 * 69120);
}

TEST_CASE("Inverse solving round-trips: max fits, max + 1 does not", "[memory]") {
    const ModelShape& llama = findModelPreset("llama-3.1-8b").shape;
    const std::int64_t h100 = findGpuPreset("H100-80GB").bytes;
    for (KvLayout layout : {KvLayout::Paged, KvLayout::Contiguous}) {
        CacheSpec spec = fp16Paged();
        spec.layout = layout;
        const MemoryReport r = estimate(llama, spec, {.context = 131072, .batch = 8}, h100);
        INFO(toString(layout));
        REQUIRE(r.max_seq > 0);
        CHECK(estimate(llama, spec, {.context = r.max_seq, .batch = 8}, h100).fits);
        CHECK_FALSE(estimate(llama, spec, {.context = r.max_seq + 1, .batch = 8}, h100).fits);
        REQUIRE(r.max_batch > 0);
        CHECK(estimate(llama, spec, {.context = 131072, .batch = r.max_batch}, h100).fits);
        CHECK_FALSE(
            estimate(llama, spec, {.context = 131072, .batch = r.max_batch + 1}, h100).fits);
        CHECK(r.max_total_tokens * 131072 <= r.free_for_kv);
        CHECK((r.max_total_tokens + 16) * 131072 > r.free_for_kv);
    }
}

TEST_CASE("Usable memory and weights: 0.9 of the GPU, parameters x bits", "[memory]") {
    const ModelPreset& p = findModelPreset("llama-2-7b");
    GpuSpec gpu{"H100-80GB", findGpuPreset("H100-80GB").bytes, "preset gpus.json"};
    WeightSpec weights;
    weights.layout = p.layout;
    const MemoryReport r = estimateMemory(p.shape, fp16Paged(), {.context = 4096}, weights, gpu);
    // Llama 2 7B has 6,738,415,616 parameters (untied output, SwiGLU, no biases).
    CHECK(r.parameters == 6738415616);
    CHECK(r.weights_bytes == 2 * std::int64_t(6738415616));  // float16 in the config
    CHECK(r.usable_bytes == 72000000000);
    CHECK(r.free_for_kv == 72000000000 - r.weights_bytes);
    CHECK(r.term("kv_bytes_per_token").bytes == 524288);
    CHECK_FALSE(r.term("kv_bytes_per_token_per_layer").sources.empty());
}

TEST_CASE("Nonsense and overflow give clear errors", "[memory]") {
    ModelShape shape = preset("llama-3-8b");
    CHECK_THROWS_WITH(estimate(shape, fp16Paged(), {.context = 1000000000000}),
                      Catch::Contains("context 1000000000000 is more than"));
    CHECK_THROWS_WITH(estimate(shape, fp16Paged(), {.context = 10, .batch = -1}),
                      Catch::Contains("batch must be > 0"));
    CHECK_THROWS_WITH(estimate(shape, fp16Paged(), {.context = 10, .shared_prefix = 11}),
                      Catch::Contains("shared prefix"));
    ModelShape zero = shape;
    zero.n_heads = 0;
    CHECK_THROWS_WITH(estimate(zero, fp16Paged(), {.context = 10}),
                      Catch::Contains("n_heads must be > 0"));
    ModelShape odd = shape;
    odd.n_kv_heads = 5;
    CHECK_THROWS_WITH(estimate(odd, fp16Paged(), {.context = 10}), Catch::Contains("divisible"));
    ModelShape huge = shape;
    huge.n_kv_heads = huge.n_heads = std::int64_t(1) << 40;
    CHECK_THROWS_AS(estimate(huge, fp16Paged(), {.context = 10}), InputError);
    CacheSpec kivi = fp16Paged();
    kivi.k_dtype = KvDtype::KIVI2;
    CHECK_THROWS_WITH(estimate(shape, kivi, {.context = 10}), Catch::Contains("contiguous"));
}

TEST_CASE("Every model preset parses and validates, every GPU converts", "[memory]") {
    REQUIRE(modelPresets().size() >= 25);
    for (const ModelPreset& p : modelPresets()) {
        INFO(p.preset);
        CHECK_NOTHROW(p.shape.validate());
        CHECK(estimate(p.shape, fp16Paged(), {.context = 4096}).kv_bytes_per_token > 0);
    }
    CHECK(findGpuPreset("h100-80gb").bytes == 80000000000);              // "80GB": 80 x 10^9
    CHECK(findGpuPreset("A10G").bytes == 24 * (std::int64_t(1) << 30));  // "24 GiB"
    CHECK(unitBytes("GiB") == 1073741824);
    JsonValue bad =
        parseJson(R"({"gpus":[{"name":"X","vendor_text":"80 GB","memory":80,"unit":"GB",)"
                  R"("bytes":85899345920,"source":"s"}]})",
                  "test");
    CHECK_THROWS_WITH(readGpuPresets(bad), Catch::Contains("80 GB is 80000000000 bytes"));
}

namespace {

/// The live contiguous fp32 cache against the estimator, reservation and every step.
void checkLiveCache(std::shared_ptr<const Model> model, std::int64_t n) {
    const ModelShape shape = shapeFromModelConfig(model->config, "model");
    Session session(model, SessionOptions{.max_context = n});
    CacheSpec spec;
    spec.k_dtype = spec.v_dtype = KvDtype::F32;
    spec.layout = KvLayout::Contiguous;
    const MemoryReport r = estimate(shape, spec, {.context = n});
    std::int64_t allocated = 0;
    for (std::int64_t l = 0; l < shape.n_layers; ++l)
        allocated += session.cache().bytesAllocated(l);
    CHECK(allocated == r.per_gpu.contiguous);
    const std::vector<TokenId> prompt = {1, 2, 3};
    session.prefill(prompt);
    while (true) {
        std::int64_t used = 0;
        for (std::int64_t l = 0; l < shape.n_layers; ++l) {
            used += session.cache().kBytesUsed(l) + session.cache().vBytesUsed(l);
        }
        INFO("tokens " << session.position());
        CHECK(used == kvSequenceBytes(shape, spec, shape.n_kv_heads, session.position()));
        if (!session.canStep() || session.position() >= 12) break;
        session.step();
    }
}

/// The live paged fp32 cache against the estimator's ceil(tokens / B) blocks, after every step.
void checkLivePagedCache(std::shared_ptr<const Model> model, std::int64_t block_size) {
    const ModelShape shape = shapeFromModelConfig(model->config, "model");
    Session session(model, SessionOptions{.cache_layout = CacheLayout::Paged,
                                          .block_size = block_size,
                                          .max_context = 64,
                                          .record_attention = false});
    CacheSpec spec;
    spec.k_dtype = spec.v_dtype = KvDtype::F32;
    spec.layout = KvLayout::Paged;
    spec.block_size = block_size;
    session.prefill(std::vector<TokenId>{1, 2, 3});
    while (true) {
        std::int64_t allocated = 0;
        for (std::int64_t l = 0; l < shape.n_layers; ++l)
            allocated += session.cache().bytesAllocated(l);
        const MemoryReport r = estimate(shape, spec, {.context = session.position()});
        INFO("block size " << block_size << ", tokens " << session.position());
        CHECK(allocated == r.per_gpu.paged);
        if (!session.canStep() || session.position() >= 40) break;
        session.step();
    }
}

}  // namespace

TEST_CASE("The estimator equals the live paged cache byte for byte", "[memory]") {
    for (std::int64_t block_size : {1, 5, 16})
        checkLivePagedCache(loadModel("builtin:demo-mqa"), block_size);
    if (const auto path = test::realModelPath("stories260K.gguf"))
        checkLivePagedCache(loadModel(*path), 16);
}

TEST_CASE("The estimator equals the live contiguous cache byte for byte", "[memory]") {
    for (std::int64_t n : {16, 37, 64})
        checkLiveCache(loadModel("builtin:demo"), n);
    if (const auto path = test::realModelPath("stories260K.gguf")) {
        for (std::int64_t n : {16, 100})
            checkLiveCache(loadModel(*path), n);
    }
}

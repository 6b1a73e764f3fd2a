// The serving-engine section: vLLM v1's KV budget, blocks, maximum concurrency, whether
// --max-model-len starts, and what to change when it does not. Expected values are worked out by
// hand below from the published shapes and GPU sizes.
#include <catch2/catch.hpp>

#include "core/memory/gpu_presets.h"
#include "core/memory/hf_config.h"
#include "core/memory/model_presets.h"
#include "core/memory/serving_engine.h"
#include "core/util/error.h"

using namespace kvscope;

namespace {

struct Run {
    MemoryReport report;
    ServingReport serving;
};

Run serve(const ModelShape& shape, const std::string& gpu_name, std::int64_t context,
          ServingSpec spec = {}, std::int64_t tp = 1) {
    GpuSpec gpu;
    gpu.name = gpu_name;
    gpu.bytes = findGpuPreset(gpu_name).bytes;
    gpu.usable_fraction = spec.gpu_memory_utilization;
    const CacheSpec cache;  // fp16 (bf16-sized), paged blocks of 16, vLLM's default
    const Workload workload{.context = context, .batch = 1, .tp = tp};
    Run run;
    run.report = estimateMemory(shape, cache, workload, WeightSpec{}, gpu);
    run.serving = estimateServing(shape, cache, workload, run.report, gpu, spec);
    return run;
}

const ServingFix* fix(const ServingReport& s, const std::string& prefix) {
    for (const ServingFix& f : s.fixes) {
        if (f.flag.rfind(prefix, 0) == 0) return &f;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("Serving engine: Llama-3.1-8B on one H100-80GB at 128k", "[memory][serving]") {
    const ModelShape& llama = findModelPreset("llama-3.1-8b").shape;
    const Run run = serve(llama, "H100-80GB", 131072);
    const ServingReport& s = run.serving;
    // Budget: 80 GB = 80e9 B x 0.9 = 72000000000 B.
    CHECK(s.budget == 72000000000);
    // Weights: 8030261248 parameters (embedding 128256 x 4096 twice, untied, + 32 layers x
    // (q 4096^2 + k, v 2 x 4096 x 1024 + o 4096^2 + FFN 3 x 4096 x 14336 + norms 8192) + 4096)
    // x 2 B = 16060522496 B.
    CHECK(s.weights == 16060522496);
    // Activations for 8192 batched tokens: hidden 2 x 8192 x 4096 = 67108864; the MLP
    // 8192 x 3 x 14336 = 352321536 (larger than attention's 8192 x 10240); (67108864 +
    // 352321536) x 2 B = 838860800; logits 256 x 128256 x 4 B = 131334144; 970194944 B.
    CHECK(s.activations == 970194944);
    // Available: 72000000000 - 16060522496 - 970194944 = 54969282560 B.
    CHECK(s.available == 54969282560);
    // A page: 16 tokens x 4096 B per token and layer = 65536 B, x 32 layers = 2097152 B.
    CHECK(s.page_bytes == 2097152);
    CHECK(s.block_size == 16);
    CHECK(s.num_blocks == 26211);  // floor(54969282560 / 2097152)
    // One 131072-token request: 8192 pages x 32 layers x 65536 B = 16 GiB; concurrency
    // 54969282560 / 17179869184 = 3.1996...
    CHECK(s.request_bytes == std::int64_t(17179869184));
    CHECK(s.max_concurrency == Approx(3.19963).epsilon(1e-5));
    CHECK(s.kv_tokens == 419382);  // floor(3.19963... x 131072), as vLLM's capacity log
    CHECK(s.fits);
    CHECK(s.fixes.empty());
    // Every term names its source.
    for (const MemoryTerm& t : s.terms) {
        INFO(t.name);
        CHECK_FALSE(t.sources.empty());
    }
    CHECK_THAT(s.terms[2].formula, Catch::Contains("ESTIMATE"));
    CHECK_THAT(s.terms[0].sources[0], Catch::Contains("determine_available_memory"));
}

TEST_CASE("Serving engine: 128k does not start on a 24 GiB A10G; the changes that fix it",
          "[memory][serving]") {
    const ModelShape& llama = findModelPreset("llama-3.1-8b").shape;
    const ServingReport s = serve(llama, "A10G", 131072).serving;
    // 24 GiB = 25769803776 B x 0.9 = 23192823398 B (floor); - weights 16060522496 - activations
    // 970194944 = 6162105958 B for KV, less than the 16 GiB one request needs.
    CHECK(s.available == 6162105958);
    CHECK_FALSE(s.fits);
    // The longest that fits: floor(6162105958 / 2097152) = 2938 blocks of 16 = 47008 tokens.
    CHECK(s.max_model_len_fit == 47008);
    const ServingFix* len = fix(s, "--max-model-len");
    REQUIRE(len != nullptr);
    CHECK(len->flag == "--max-model-len 47008");
    CHECK(len->fits);
    // fp8 KV halves the request to 8 GiB: still more than 6162105958 B.
    const ServingFix* fp8 = fix(s, "--kv-cache-dtype fp8");
    REQUIRE(fp8 != nullptr);
    CHECK_FALSE(fp8->fits);
    CHECK_THAT(fp8->effect, Catch::Contains("8.00 GiB") && Catch::Contains("still short"));
    // Two GPUs: weights 8030261248 B each; activations (67108864 + 176160768) x 2 + 131334144 =
    // 617873408; 23192823398 - 8030261248 - 617873408 = 14544688742 B for 4 KV heads a GPU, a
    // request 8 GiB: 14544688742 / 8589934592 = 1.69x.
    const ServingFix* tp = fix(s, "--tensor-parallel-size");
    REQUIRE(tp != nullptr);
    CHECK(tp->flag == "--tensor-parallel-size 2");
    CHECK(tp->fits);
    CHECK_THAT(tp->effect, Catch::Contains("1.69x"));
    // No utilization <= 1 is enough (16060522496 + 970194944 + 17179869184 > 25769803776).
    CHECK(fix(s, "--gpu-memory-utilization") == nullptr);
}

TEST_CASE("Serving engine: sliding windows, chunks and recurrent state per request",
          "[memory][serving]") {
    // gpt-oss-20b at 131072: 12 full layers x cdiv(131072, 16) = 8192 pages, 12 sliding layers x
    // (cdiv(min(128 - 1 + 8192, 131072), 16) + 1 = 520 + 1 = 521) pages; a page 16 x 2048 B =
    // 32768 B: (12 x 8192 + 12 x 521) x 32768 = 3426091008 B.
    const ModelShape oss =
        readHfConfigFile(std::string(KVSCOPE_TEST_DATA_DIR) + "/hf/gpt-oss-20b.json");
    CHECK(serve(oss, "H100-80GB", 131072).serving.request_bytes == std::int64_t(3426091008));
    // Llama 4 Scout at 1048576: 12 global layers x 65536 pages + 36 chunked layers x
    // cdiv(8192 + 8192, 16) = 1024 pages, page 16 x 4096 = 65536 B:
    // (786432 + 36864) x 65536 = 53955526656 B.
    const ModelShape& scout = findModelPreset("llama-4-scout").shape;
    ServingSpec spec;
    CHECK(serve(scout, "H200", 1048576, spec).serving.request_bytes == std::int64_t(53955526656));
    // Qwen3-Next: one gated DeltaNet layer's state is 1097728 B; an attention token 2048 B per
    // layer, so vLLM raises the block to 16 x cdiv(1097728, 16 x 2048) = 16 x 34 = 544 tokens and
    // pads each state page to 544 x 2048 = 1114112 B. At 4096 tokens: 12 layers x
    // cdiv(4096, 544) = 8 pages x 1114112 + 36 x 1114112 = (96 + 36) x 1114112 = 147062784 B.
    const ModelShape& next = findModelPreset("qwen3-next-80b-a3b").shape;
    const ServingReport q = serve(next, "H200", 4096).serving;
    CHECK(q.block_size == 544);
    CHECK(q.request_state_bytes == 36 * 1114112);
    CHECK(q.request_bytes == 132 * 1114112);
}

TEST_CASE("Serving engine: bad settings name the setting", "[memory][serving]") {
    const ModelShape& llama = findModelPreset("llama-3.1-8b").shape;
    ServingSpec spec;
    spec.max_num_batched_tokens = 0;
    CHECK_THROWS_WITH(serve(llama, "H100-80GB", 4096, spec),
                      Catch::Contains("max_num_batched_tokens must be > 0"));
    spec = {};
    spec.non_torch_bytes = -1;
    CHECK_THROWS_WITH(serve(llama, "H100-80GB", 4096, spec), Catch::Contains("non-torch"));
    MemoryReport no_gpu;
    CHECK_THROWS_WITH(estimateServing(llama, CacheSpec{}, Workload{.context = 16}, no_gpu,
                                      GpuSpec{}, ServingSpec{}),
                      Catch::Contains("needs a GPU"));
}

// The whole model on the CUDA backend against the CPU backend (skipped without a device): the
// same greedy tokens for 200 steps of stories260K and of the demo model, in both cache layouts
// and every KV codec the kernels read; the attention rows of the views; undo.
#include "cuda_test_main.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/engine/cpu_backend.h"
#include "core/engine/session.h"
#include "core/gguf_test_files.h"
#include "core/model/model_source.h"
#include "core/model/prompt_tokens.h"
#include "kernels/cuda_backend.h"

using namespace kvscope;

namespace {

const KvDtype kCodecs[] = {KvDtype::F32,      KvDtype::F16,  KvDtype::BF16, KvDtype::FP8_E4M3,
                           KvDtype::FP8_E5M2, KvDtype::INT8, KvDtype::INT4, KvDtype::Q8_0};

SessionOptions options(CacheLayout layout, KvDtype dtype) {
    SessionOptions o;
    o.cache_layout = layout;
    o.cache_spec = KvCacheSpec{.k_dtype = dtype, .v_dtype = dtype};
    o.record_attention = true;
    o.record_top_k = 1;
    return o;
}

std::vector<TokenId> prompt(const Model& model) {
    return promptTokens(*model.tokenizer, "Once upon a time, there was a little");
}

void checkSameGreedyTokens(const std::shared_ptr<const Model>& model, std::int64_t steps) {
    for (CacheLayout layout : {CacheLayout::Contiguous, CacheLayout::Paged}) {
        for (KvDtype dtype : kCodecs) {
            INFO(model->config.name
                 << ", " << (layout == CacheLayout::Paged ? "paged" : "contiguous") << ", "
                 << toString(dtype));
            Session cpu(model, options(layout, dtype), std::make_unique<CpuBackend>(1));
            auto cuda_backend = std::make_unique<CudaBackend>();
            const CudaBackend* cuda_view = cuda_backend.get();
            Session gpu(model, options(layout, dtype), std::move(cuda_backend));
            const std::vector<TokenId> p = prompt(*model);
            cpu.prefill(p);
            gpu.prefill(p);
            const std::int64_t n =
                std::min(steps, model->config.max_context - std::int64_t(p.size()) - 1);
            for (std::int64_t s = 0; s < n; ++s) {
                cpu.step();
                gpu.step();
            }
            REQUIRE(gpu.tokens() == cpu.tokens());
            REQUIRE(gpu.cache().length() == cpu.cache().length());
            CHECK(gpu.cache().kBytesUsed(0) == cpu.cache().kBytesUsed(0));
            CHECK(cuda_view->resyncCount() == 0);  // the device copy kept in step by itself

            // The views' attention rows: the last step's, every layer and head. The weights
            // differ from the CPU's by the score rounding (see test_cuda_parity.cpp): 1e-4
            // relative, 1e-7 absolute.
            const StepRecord& rc = cpu.records().back();
            const StepRecord& rg = gpu.records().back();
            REQUIRE(rg.layers.size() == rc.layers.size());
            for (std::size_t l = 0; l < rc.layers.size(); ++l) {
                for (std::size_t h = 0; h < rc.layers[l].attention.size(); ++h) {
                    const Matrix& a = rc.layers[l].attention[h];
                    const Matrix& b = rg.layers[l].attention[h];
                    REQUIRE(a.rows() == b.rows());
                    REQUIRE(a.cols() == b.cols());
                    for (Eigen::Index i = 0; i < a.size(); ++i)
                        CHECK(std::fabs(a.data()[i] - b.data()[i]) <= 1e-7f + 1e-4f * a.data()[i]);
                }
            }

            // Undo five steps on both, then five more: the device copy re-syncs from the host.
            for (int u = 0; u < 5; ++u) {
                cpu.undo();
                gpu.undo();
            }
            for (int s = 0; s < 5; ++s) {
                cpu.step();
                gpu.step();
            }
            CHECK(gpu.tokens() == cpu.tokens());
        }
    }
}

}  // namespace

TEST_CASE("the demo model on CUDA gives the CPU's greedy tokens for 200 steps", "[gpu]") {
    checkSameGreedyTokens(loadModel("builtin:demo"), 200);
}

TEST_CASE("stories260K on CUDA gives the CPU's greedy tokens for 200 steps", "[gpu][real-model]") {
    const auto path = test::realModelPath("stories260K.gguf");
    if (!path) return;
    checkSameGreedyTokens(loadModel(*path), 200);
}

TEST_CASE("an explicit cuda backend refuses what its kernels do not implement", "[gpu]") {
    const auto model = loadModel("builtin:demo");
    SessionOptions o;
    o.cache_spec = KvCacheSpec{.k_dtype = KvDtype::KIVI2, .v_dtype = KvDtype::KIVI2};
    Session gpu(model, o, std::make_unique<CudaBackend>());
    CHECK_THROWS_WITH(gpu.prefill(prompt(*model)),
                      Catch::Contains("has no CUDA kernel") && Catch::Contains("--backend cpu"));
}

#include "core/memory/serving_engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/util/checked_math.h"
#include "core/util/error.h"
#include "core/util/format_bytes.h"

namespace kvscope {

namespace {

std::string num(std::int64_t value) {
    return std::to_string(value);
}

std::int64_t cdiv(std::int64_t a, std::int64_t b) {
    return a / b + (a % b != 0 ? 1 : 0);
}

std::string times(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2fx", x);
    return text;
}

[[noreturn]] void fail(const std::string& what) {
    throw InputError("serving engine: " + what);
}

/// Everything that depends on the settings a fix changes.
struct Settings {
    CacheSpec cache;
    std::int64_t tp = 1;
    std::int64_t max_model_len = 0;
    std::int64_t batched_tokens = 0;
    double utilization = 0.9;
};

struct Plan {
    std::int64_t block = 0;
    std::int64_t budget = 0;
    std::int64_t weights = 0;
    std::int64_t activations = 0;
    std::int64_t available = 0;
    std::int64_t page = 0;
    std::int64_t state_page = 0;  // one state layer's page (padded); 0 without state
    std::int64_t request = 0;
    std::int64_t request_state = 0;
    bool fits() const { return request <= available; }
    double concurrency() const {
        return available > 0 && request > 0 ? double(available) / double(request) : 0.0;
    }
};

class Planner {
public:
    Planner(const ModelShape& shape, const MemoryReport& report, const GpuSpec& gpu,
            const ServingSpec& serving)
        : m_shape(shape), m_report(report), m_gpu(gpu), m_serving(serving) {}

    /// Pages one request holds in `layer` (max_memory_usage_bytes of its vLLM spec).
    std::int64_t pages(std::int64_t layer, const Settings& s, std::int64_t block) const {
        const std::int64_t len = s.max_model_len;
        if (m_shape.isLocal(layer)) {
            const std::int64_t tokens =
                std::min(m_shape.sliding_window - 1 + s.batched_tokens, len);
            return cdiv(tokens, block) + 1;
        }
        if (m_shape.isChunked(layer)) {
            return cdiv(std::min(m_shape.attention_chunk + s.batched_tokens, len), block);
        }
        return cdiv(len, block);
    }

    Plan plan(const Settings& s) const {
        const char* what = "serving engine bytes";
        Plan p;
        p.budget = checkedFloor(static_cast<long double>(m_gpu.bytes) * s.utilization,
                                "the GPU's bytes x gpu_memory_utilization");
        p.weights = cdiv(m_report.weights_bytes, s.tp);
        p.activations =
            activationPeakBytes(m_shape, s.batched_tokens, m_serving.max_num_seqs, s.tp);
        p.available = p.budget - p.weights - p.activations - m_serving.non_torch_bytes;
        p.block = s.cache.block_size;
        const std::int64_t layers_with_state = m_shape.nStateLayers();
        if (layers_with_state > 0) {
            // vLLM pads the state page and the attention page to one size, raising the
            // attention block to a multiple of 16 tokens when one layer's state needs it.
            const std::int64_t state_layer =
                stateBytesPerSequence(m_shape, s.tp) / layers_with_state;
            std::int64_t first = 0;
            while (!m_shape.holdsKv(first))
                ++first;
            const std::int64_t token =
                kvTokenLayerBytes(m_shape, s.cache, kvHeadsPerGpuOf(m_shape, first, s.tp), first);
            if (state_layer > checkedMul(p.block, token, what)) {
                p.block = 16 * cdiv(state_layer, checkedMul(16, token, what));
            }
            p.state_page = checkedMul(p.block, token, what);
            p.request_state = checkedMul(p.state_page, layers_with_state, what);
        }
        CacheSpec cache = s.cache;
        cache.block_size = p.block;
        p.request = p.request_state;
        for (std::int64_t layer = 0; layer < m_shape.n_layers; ++layer) {
            if (!m_shape.holdsKv(layer)) continue;
            const std::int64_t page =
                kvBlockLayerBytes(m_shape, cache, kvHeadsPerGpuOf(m_shape, layer, s.tp), layer);
            p.page = checkedAdd(p.page, page, what);
            p.request =
                checkedAdd(p.request, checkedMul(pages(layer, s, p.block), page, what), what);
        }
        return p;
    }

    /// The largest max_model_len that fits (0 when 1 token does not).
    std::int64_t largestLength(Settings s) const {
        const auto fits = [&](std::int64_t len) {
            s.max_model_len = len;
            try {
                return plan(s).fits();
            } catch (const InputError&) {
                return false;
            }
        };
        if (!fits(1)) return 0;
        std::int64_t lo = 1, hi = 2;
        while (hi <= kMaxEstimatorContext && fits(hi)) {
            lo = hi;
            hi *= 2;
        }
        hi = std::min(hi, kMaxEstimatorContext + 1);
        while (hi - lo > 1) {
            const std::int64_t mid = lo + (hi - lo) / 2;
            (fits(mid) ? lo : hi) = mid;
        }
        return lo;
    }

private:
    const ModelShape& m_shape;
    const MemoryReport& m_report;
    const GpuSpec& m_gpu;
    const ServingSpec& m_serving;
};

std::string effect(const Plan& p) {
    if (p.fits()) return "fits: maximum concurrency " + times(p.concurrency());
    const std::int64_t short_by = p.request - std::max<std::int64_t>(p.available, 0);
    return "still short by " + formatBytes(short_by) + " per GPU";
}

void addFixes(const Planner& planner, const Settings& base, const Workload& workload,
              const ModelShape& shape, const MemoryReport& report, const GpuSpec& gpu,
              const ServingSpec& serving, ServingReport& out) {
    // 1. A shorter max-model-len.
    if (out.max_model_len_fit > 0) {
        Settings s = base;
        s.max_model_len = out.max_model_len_fit;
        out.fixes.push_back({"--max-model-len " + num(out.max_model_len_fit),
                             "the longest that fits; " + effect(planner.plan(s)), true});
    } else {
        out.fixes.push_back({"--max-model-len (any)",
                             "not even 1 token fits: weights and activations leave " +
                                 formatBytes(std::max<std::int64_t>(out.available, 0)) +
                                 " for the KV cache",
                             false});
    }
    // 2. fp8 KV cache.
    if (base.cache.k_dtype != KvDtype::FP8_E4M3 || base.cache.v_dtype != KvDtype::FP8_E4M3) {
        Settings s = base;
        s.cache.k_dtype = s.cache.v_dtype = KvDtype::FP8_E4M3;
        s.cache.recent_window = 0;
        const Plan p = planner.plan(s);
        out.fixes.push_back({"--kv-cache-dtype fp8",
                             "one request needs " + formatBytes(p.request) + "; " + effect(p),
                             p.fits()});
    }
    // 3. More tensor-parallel GPUs (the first power-of-two multiple that fits, up to 64).
    Plan best;
    std::int64_t best_tp = 0;
    for (std::int64_t tp = base.tp * 2; tp <= 64; tp *= 2) {
        Workload w = workload;
        w.tp = tp;
        try {
            checkKvInputs(shape, base.cache, w);
        } catch (const InputError&) {
            continue;  // the heads do not split over tp GPUs
        }
        Settings s = base;
        s.tp = tp;
        best = planner.plan(s);
        best_tp = tp;
        if (best.fits()) break;
    }
    if (best_tp > 0) {
        out.fixes.push_back({"--tensor-parallel-size " + num(best_tp),
                             "weights " + formatBytes(best.weights) + " per GPU; " + effect(best),
                             best.fits()});
    }
    // 4. A smaller max_num_batched_tokens (halved, not below max_num_seqs).
    if (serving.max_num_batched_tokens > serving.max_num_seqs) {
        Settings s = base;
        Plan p;
        while (s.batched_tokens / 2 >= serving.max_num_seqs) {
            s.batched_tokens /= 2;
            p = planner.plan(s);
            if (p.fits()) break;
        }
        if (s.batched_tokens != base.batched_tokens) {
            out.fixes.push_back({"--max-num-batched-tokens " + num(s.batched_tokens),
                                 "activations " + formatBytes(out.activations) + " -> " +
                                     formatBytes(p.activations) + "; " + effect(p),
                                 p.fits()});
        }
    }
    // 5. A higher gpu_memory_utilization, when some fraction <= 1 is enough.
    const std::int64_t needed = out.weights + out.activations + out.non_torch + out.request_bytes;
    const double util = std::ceil(double(needed) / double(gpu.bytes) * 100.0) / 100.0;
    if (util <= 1.0) {
        char text[16];
        std::snprintf(text, sizeof text, "%.2f", util);
        out.fixes.push_back({std::string("--gpu-memory-utilization ") + text,
                             "fits, leaving less of the GPU to anything else", true});
    }
    (void)report;
}

}  // namespace

std::int64_t activationPeakBytes(const ModelShape& shape, std::int64_t tokens,
                                 std::int64_t max_num_seqs, std::int64_t tp) {
    const char* what = "activation estimate";
    const auto mul = [&](std::int64_t a, std::int64_t b) { return checkedMul(a, b, what); };
    const std::int64_t hidden = mul(2, mul(tokens, shape.d_model));
    const std::int64_t attention_width =
        checkedAdd(mul(2, mul(shape.n_heads, shape.head_dim)),
                   mul(shape.n_kv_heads, shape.head_dim + shape.v_head_dim), what);
    const std::int64_t attention = mul(tokens, attention_width) / tp;
    const std::int64_t d_ff = shape.d_ff > 0 ? shape.d_ff : mul(4, shape.d_model);
    const std::int64_t mlp = mul(tokens, mul(3, d_ff)) / tp;
    const std::int64_t layer = mul(checkedAdd(hidden, std::max(attention, mlp), what), 2);
    return checkedAdd(layer, mul(mul(max_num_seqs, shape.vocab), 4), what);
}

ServingReport estimateServing(const ModelShape& shape, const CacheSpec& cache,
                              const Workload& workload, const MemoryReport& report,
                              const GpuSpec& gpu, const ServingSpec& serving) {
    if (gpu.bytes <= 0) fail("needs a GPU (--gpu NAME or --gpu-mem BYTES)");
    if (!(serving.gpu_memory_utilization > 0.0 && serving.gpu_memory_utilization <= 1.0)) {
        fail("gpu_memory_utilization must be in (0, 1]");
    }
    if (serving.max_model_len < 0 || serving.max_model_len > kMaxEstimatorContext) {
        fail("max_model_len must be in [1, 2^32], got " + num(serving.max_model_len));
    }
    if (serving.max_num_batched_tokens < 1) {
        fail("max_num_batched_tokens must be > 0, got " + num(serving.max_num_batched_tokens));
    }
    if (serving.max_num_seqs < 1)
        fail("max_num_seqs must be > 0, got " + num(serving.max_num_seqs));
    if (serving.non_torch_bytes < 0) fail("non-torch memory must be >= 0 bytes");
    checkKvInputs(shape, cache, workload);

    const Planner planner(shape, report, gpu, serving);
    Settings base{cache, workload.tp,
                  serving.max_model_len > 0 ? serving.max_model_len : workload.context,
                  serving.max_num_batched_tokens, serving.gpu_memory_utilization};
    const Plan p = planner.plan(base);
    ServingReport out;
    out.max_model_len = base.max_model_len;
    out.block_size = p.block;
    out.budget = p.budget;
    out.weights = p.weights;
    out.activations = p.activations;
    out.non_torch = serving.non_torch_bytes;
    out.available = p.available;
    out.page_bytes = p.page;
    out.num_blocks = p.available > 0 ? p.available / p.page : 0;
    out.request_bytes = p.request;
    out.request_state_bytes = p.request_state;
    out.max_concurrency = p.concurrency();
    out.kv_tokens = checkedFloor(static_cast<long double>(out.max_concurrency) * out.max_model_len,
                                 "KV cache tokens");
    out.fits = p.fits();
    out.max_model_len_fit = planner.largestLength(base);

    const auto term = [&](std::string name, std::int64_t bytes, std::string formula,
                          std::vector<std::string> sources) {
        out.terms.push_back({std::move(name), bytes, std::move(formula), std::move(sources)});
    };
    char util[32];
    std::snprintf(util, sizeof util, "%.2f", serving.gpu_memory_utilization);
    term("serving_budget", out.budget,
         "floor(" + num(gpu.bytes) + " B x gpu_memory_utilization " + util + ")",
         {"vLLM v1 gpu_worker.py determine_available_memory: requested memory = total x "
          "gpu_memory_utilization (default 0.9)"});
    term("serving_weights", out.weights,
         "ceil(" + num(report.weights_bytes) + " B / tp " + num(workload.tp) + ")",
         {"the weights term above"});
    term("serving_activations", out.activations,
         "ESTIMATE for max_num_batched_tokens " + num(serving.max_num_batched_tokens) +
             ": (2 x tokens x d_model + max(attention projections, 3 x tokens x d_ff) / tp) x 2 B "
             "+ max_num_seqs " +
             num(serving.max_num_seqs) + " x vocab x 4 B of logits",
         {"an approximation of the peak vLLM measures in profile_run (a dummy forward of "
          "max_num_batched_tokens tokens); attention workspaces, MoE buffers and fragmentation "
          "are not in it"});
    term("serving_non_torch", out.non_torch,
         "CUDA context, NCCL buffers, CUDA graphs: not estimated",
         {"--engine-overhead BYTES (user input, default 0); vLLM measures it at start-up"});
    term("serving_available_kv", out.available,
         num(out.budget) + " - weights " + num(out.weights) + " - activations " +
             num(out.activations) + " - non-torch " + num(out.non_torch),
         {"determine_available_memory: the rest of the budget becomes KV cache blocks"});
    term("serving_page", out.page_bytes,
         "one block of " + num(out.block_size) + " tokens in each of the " +
             num(shape.nTokenLayers()) + " K/V layers (" + num(out.num_blocks) + " blocks fit)",
         {"kv_cache_interface.py AttentionSpec.page_size_bytes = 2 x block_size x kv heads x "
          "head_size x dtype bytes; kv_cache_utils.py get_num_blocks",
          out.block_size != cache.block_size
              ? "block size raised from " + num(cache.block_size) + " to " + num(out.block_size) +
                    " so one page holds a layer's recurrent state (models/config.py "
                    "HybridAttentionMambaModelConfig)"
              : "block_size " + num(out.block_size) + " (user input, vLLM's default 16)"});
    std::string request = "one request at max_model_len " + num(out.max_model_len) +
                          ": full layers cdiv(L, block) pages";
    if (shape.nLocalLayers() > 0) {
        request += ", sliding layers cdiv(min(window - 1 + max_num_batched_tokens, L), block) + 1";
    }
    if (shape.nChunkedLayers() > 0) {
        request += ", chunked layers cdiv(min(chunk + max_num_batched_tokens, L), block)";
    }
    if (shape.nStateLayers() > 0) {
        request += ", " + num(shape.nStateLayers()) + " state layers 1 page each (" +
                   num(out.request_state_bytes) + " B)";
    }
    term("serving_request", out.request_bytes, request,
         {"kv_cache_interface.py max_memory_usage_bytes of each layer's spec"});
    if (!out.fits) addFixes(planner, base, workload, shape, report, gpu, serving, out);
    return out;
}

}  // namespace kvscope

#pragma once
// "Will it start, and what do I change?": the KV cache budget of a serving engine that follows
// vLLM's documented accounting (vLLM v1, docs "Conserving memory" and the source cited per term):
//
//   budget      = floor(GPU bytes x gpu_memory_utilization)            (default 0.9;
//   vllm/v1/worker/
//                                                                       gpu_worker.py
//                                                                       determine_available_memory)
//   available   = budget - weights - peak activations - non-torch memory   (same function; vLLM
//                 measures the last two in profile_run, a dummy forward of max_num_batched_tokens
//                 tokens; here the activations are an ESTIMATE, see activationPeakBytes)
//   page        = block_size x K/V bytes of one token in one layer     (kv_cache_interface.py,
//                                                                       AttentionSpec.page_size_bytes)
//   KV blocks   = floor(available / (page x K/V layers))               (kv_cache_utils.py,
//                                                                       get_num_blocks; uniform
//                                                                       models)
//   one request at max_model_len needs, per layer (max_memory_usage_bytes of its spec):
//     full attention    cdiv(L, block) pages
//     sliding window w  cdiv(min(w - 1 + max_num_batched_tokens, L), block) + 1 pages
//     chunked C         cdiv(min(C + max_num_batched_tokens, L), block) pages
//     Mamba / linear    1 page (the state, padded to the attention page: for hybrid models vLLM
//                       raises the attention block size to a multiple of 16 tokens whose page
//                       holds one layer's state; models/config.py
//                       HybridAttentionMambaModelConfig)
//   maximum concurrency = available / request bytes  ("Maximum concurrency for L tokens per
//                 request: X.XXx"; kv_cache_utils.py get_max_concurrency_for_kv_cache_config)
//   fits        = request bytes <= available (check_enough_kv_cache_memory refuses to start
//                 otherwise: "... KV cache is needed, which is larger than the available KV cache
//                 memory").
// All bytes are per GPU of a tensor-parallel group.
#include <cstdint>
#include <string>
#include <vector>

#include "core/memory/memory_estimator.h"

namespace kvscope {

struct ServingSpec {
    double gpu_memory_utilization = 0.9;         // vLLM --gpu-memory-utilization
    std::int64_t max_model_len = 0;              // --max-model-len; 0 = the workload's context
    std::int64_t max_num_batched_tokens = 8192;  // --max-num-batched-tokens (the profile batch)
    std::int64_t max_num_seqs = 256;             // --max-num-seqs (the sampler warm-up rows)
    std::int64_t non_torch_bytes = 0;  // CUDA context, NCCL, CUDA graphs: measured by vLLM, not
                                       // estimated here (user input, default 0)
};

/// One change that would make (or keep) the engine start, with its figure.
struct ServingFix {
    std::string flag;    // "--max-model-len 40960"
    std::string effect;  // "fits: maximum concurrency 1.00x"
    bool fits = false;
};

struct ServingReport {
    std::int64_t max_model_len = 0;
    std::int64_t block_size = 0;   // after the hybrid alignment
    std::int64_t budget = 0;       // floor(GPU bytes x utilization)
    std::int64_t weights = 0;      // per GPU
    std::int64_t activations = 0;  // estimated peak for max_num_batched_tokens
    std::int64_t non_torch = 0;
    std::int64_t available = 0;            // for KV blocks (and state); may be negative
    std::int64_t page_bytes = 0;           // one block over all K/V layers
    std::int64_t num_blocks = 0;           // floor(available / page_bytes); 0 when none
    std::int64_t request_bytes = 0;        // one request at max_model_len
    std::int64_t request_state_bytes = 0;  // of request_bytes: the recurrent state pages
    double max_concurrency = 0.0;          // available / request_bytes (>= 0)
    std::int64_t kv_tokens = 0;            // floor(max_concurrency x max_model_len), vLLM's log
    bool fits = false;
    std::int64_t max_model_len_fit = 0;  // the largest max_model_len that fits; 0 = none
    std::vector<ServingFix> fixes;       // when !fits: changes that make it fit (or say how far)
    std::vector<MemoryTerm> terms;       // every figure with its formula and source
};

/// The estimated activation peak of one forward pass over `tokens` tokens on one of `tp` GPUs:
/// residual and normed hidden states 2 x tokens x d_model, plus the larger of the attention
/// projections (q, k, v and the attention output: tokens x (2 n_heads head_dim + 2 n_kv_heads
/// head_dim) / tp) and the MLP (gate, up and the activation: tokens x 3 d_ff / tp, d_ff = 4
/// d_model when unknown), in 2-byte values; plus the sampler's fp32 logits for max_num_seqs rows
/// (max_num_seqs x vocab x 4 B). An APPROXIMATION of what vLLM's profile_run measures (it also
/// sees the attention backend's workspace, MoE buffers and fragmentation).
std::int64_t activationPeakBytes(const ModelShape& shape, std::int64_t tokens,
                                 std::int64_t max_num_seqs, std::int64_t tp);

/// The serving engine section for `report` (computed by estimateMemory with a GPU). Throws
/// InputError naming the setting for a utilization outside (0, 1], a max_model_len outside
/// [1, 2^32], max_num_batched_tokens < 1 or max_num_seqs < 1, non_torch_bytes < 0, or no GPU.
ServingReport estimateServing(const ModelShape& shape, const CacheSpec& cache,
                              const Workload& workload, const MemoryReport& report,
                              const GpuSpec& gpu, const ServingSpec& serving);

}  // namespace kvscope

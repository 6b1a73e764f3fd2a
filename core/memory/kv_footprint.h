#pragma once
// KV cache bytes of a model shape under a cache spec and a workload: per layer, per sequence and
// for a batch in each layout, on one GPU of a tensor-parallel group. The pieces the memory
// estimator (memory_estimator.h) adds up and solves with; all checked for 64-bit overflow.
//
// Accounting rules (stated once, used everywhere):
// - A layer holds `tokens` K and V rows; a sliding-window (local) layer holds min(tokens, window)
//   (a window of w tokens holds w positions: the token itself and the w - 1 before it, as
//   transformers' sliding-window mask and vLLM's FlashAttention window (w - 1, 0) attend); a
//   chunked-attention layer (Llama 4) holds at most one chunk, min(tokens, chunk), the peak inside
//   a chunk; a cross-attention layer holds encoder states that do not grow with the text, and a
//   layer without attention (linear attention, convolution, Mamba) holds no K/V: 0 here.
// - Recurrent state (RecurrentState in model_shape.h): a fixed number of bytes per sequence and
//   state layer, whatever the context; split over tensor-parallel GPUs (as vLLM shards conv
//   channels and state heads: per GPU ceil(values / tp)). Counted apart from K/V (`state`).
// - Per-layer KV heads / head sizes (OpenELM): each layer with its own; tensor parallel applies
//   the rule below to each layer's heads.
// - MLA caches one latent row of kv_lora_rank + qk_rope_head_dim values per token and layer (in
//   the K dtype), shared by all heads and replicated on every tensor-parallel GPU.
// - Tensor parallel degree tp: n_kv_heads >= tp: each GPU holds n_kv_heads / tp heads (tp must
//   divide n_kv_heads); n_kv_heads < tp: each GPU holds 1 head, every head replicated
//   tp / n_kv_heads times (n_kv_heads must divide tp). n_heads must be divisible by tp.
// - Shared prefix P (the first P tokens of every sequence are the same): stored once in global
//   layers; sliding-window layers are not shared (an upper bound). Token-exact accounting shares
//   all P tokens; paged shares only floor(P / B) full blocks, the rest is copied per sequence.
// - Paged: a layer's sequence takes ceil(held / B) blocks of B token slots; waste is the empty
//   slots. With a residual (a mixed-precision recent window W, or kivi2's fp16 window R; see
//   kv_dtype.h) blocks hold only the tokens older than the residual, ceil(low / B) blocks, and
//   each sequence reserves a residual ring per layer (W, R, or R + 31 slots for kivi2 keys) when
//   it starts; kivi2 needs B % 32 == 0 (keys are grouped along 32 tokens). As PagedKvCache.
// - Residual and the contiguous layout: a region reserves the low part of R tokens plus a ring
//   of min(R, slots) residual rows (kvReservedBytes), as ContiguousKvCache.
// - Contiguous: every sequence reserves its own region of R positions per layer (min(R, window)
//   in local layers); no prefix sharing.
#include <cstdint>

#include "core/cache/kv_dtype.h"
#include "core/memory/model_shape.h"

namespace kvscope {

enum class KvLayout { Contiguous, Paged };
std::string_view toString(KvLayout layout);

struct CacheSpec {
    KvDtype k_dtype = KvDtype::F16;
    KvDtype v_dtype = KvDtype::F16;
    KvLayout layout = KvLayout::Paged;
    std::int64_t block_size = 16;     // paged: token slots per block (vLLM's default 16)
    std::int64_t reserve_length = 0;  // contiguous: positions reserved per sequence; 0 = context
    std::int64_t kivi_window = kKiviDefaultWindow;  // kivi2: recent tokens kept in fp16
    std::int64_t recent_window = 0;       // mixed precision: last W tokens in recent_dtype
    KvDtype recent_dtype = KvDtype::F16;  // (not for kivi2, which has kivi_window)
};

/// How K (V) is stored under `spec`: kv_dtype.h's KvRoleFormat.
KvRoleFormat keyFormat(const CacheSpec& spec);
KvRoleFormat valueFormat(const CacheSpec& spec);

struct Workload {
    std::int64_t context = 0;        // tokens per sequence (prompt + generated)
    std::int64_t batch = 1;          // concurrent sequences
    std::int64_t shared_prefix = 0;  // tokens every sequence shares; <= context
    std::int64_t tp = 1;             // tensor-parallel GPUs
};

/// The most tokens per sequence the estimator accepts (and searches up to): 2^32.
inline constexpr std::int64_t kMaxEstimatorContext = std::int64_t(1) << 32;

/// Throws InputError naming the field for a workload or spec the rules above do not allow.
void checkKvInputs(const ModelShape& shape, const CacheSpec& spec, const Workload& workload);

/// KV heads one GPU holds (see the tensor-parallel rule above), of a layer with n_kv_heads heads
/// and of `layer` (its own heads when the shape has per-layer heads).
std::int64_t kvHeadsPerGpu(const ModelShape& shape, std::int64_t tp);
std::int64_t kvHeadsPerGpuOf(const ModelShape& shape, std::int64_t layer, std::int64_t tp);
/// Recurrent state bytes of one sequence on one of `tp` GPUs (0 without state layers).
std::int64_t stateBytesPerSequence(const ModelShape& shape, std::int64_t tp);
/// Tokens `layer` holds when the sequence has `tokens` tokens.
std::int64_t heldTokens(const ModelShape& shape, std::int64_t layer, std::int64_t tokens);
/// K + V bytes of one layer of one sequence holding `held` tokens with `heads` KV heads.
std::int64_t kvLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t layer,
                          std::int64_t heads, std::int64_t held);
/// Contiguous: K + V bytes one layer of one sequence reserves for `reserve` tokens.
std::int64_t kvLayerReservedBytes(const ModelShape& shape, const CacheSpec& spec,
                                  std::int64_t layer, std::int64_t heads, std::int64_t reserve);
/// Paged: K + V bytes of one block of block_size token slots in one layer, and of the residual
/// rings one sequence keeps per layer (0 without a residual). `layer` < 0: a layer with the
/// shape's head_dim / v_head_dim; else that layer's head sizes.
std::int64_t kvBlockLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                               std::int64_t layer = -1);
std::int64_t kvRingLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                              std::int64_t layer = -1);
/// K + V bytes of one token in one layer that grows with the text (kivi2: the quantized rate).
std::int64_t kvTokenLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                               std::int64_t layer = -1);
/// K + V bytes one token adds over all K/V layers on one of `tp` GPUs (each layer's own heads).
std::int64_t kvTokenBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t tp);
/// Sum over layers of kvLayerBytes(heldTokens(tokens)): one sequence, token-exact. With per-layer
/// KV heads `heads` must be n_kv_heads (each layer then counts its own heads).
std::int64_t kvSequenceBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                             std::int64_t tokens);

/// A batch's KV bytes on one GPU (heads = kvHeadsPerGpu) in each accounting.
struct BatchKvBytes {
    std::int64_t used = 0;          // token-exact, whole shared prefix stored once
    std::int64_t shared = 0;        // of `used`: the shared prefix
    std::int64_t paged = 0;         // blocks + residual rings (0: kivi2, block % 32 != 0)
    std::int64_t paged_blocks = 0;  // blocks over all layers
    std::int64_t paged_waste = 0;   // bytes of empty slots in those blocks
    std::int64_t contiguous = 0;    // reserved regions
    std::int64_t state = 0;         // recurrent state of the batch (not K/V; in no layout's bytes)
    /// The bytes of spec.layout.
    std::int64_t of(KvLayout layout) const {
        return layout == KvLayout::Paged ? paged : contiguous;
    }
};
BatchKvBytes batchKvBytes(const ModelShape& shape, const CacheSpec& spec, const Workload& workload);

}  // namespace kvscope

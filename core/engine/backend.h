#pragma once
// Executes the forward pass of a Model over a KvCache. CpuBackend (Eigen) is the reference;
// CudaBackend (kernels/) must give the same tokens.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/cache/kv_cache.h"
#include "core/model/model.h"

namespace kvscope {

struct ForwardOptions {
    bool all_logits = false;      // logits of every new token, not only the last
    bool want_attention = false;  // copy out the attention rows computed in this pass
    /// [n_layers] the RoPE position of the first new token in each layer, instead of start_pos:
    /// a bounded cache with re-rotated positions (cache_evictor.h: the layer's slot plus the
    /// frame it keeps its keys in). Empty: start_pos in every layer.
    std::vector<std::int64_t> rope_start;
    /// The context the run is sized for (a Session's max context): it picks LongRoPE's factor
    /// set (ModelWeights::ropeFactors). 0: the cache's capacity.
    std::int64_t n_ctx = 0;
};

/// The frequency divisors of a pass: the model's factor set for options.n_ctx (or the cache's
/// capacity when it is 0).
inline const Vector& ropeFactorsFor(const Model& model, const KvCache& cache,
                                    const ForwardOptions& options) {
    return model.weights.ropeFactors(model.config,
                                     options.n_ctx > 0 ? options.n_ctx : cache.capacity());
}

struct ForwardOutput {
    /// [n_tokens or 1][vocab]: logits of every new token (all_logits) or of the last one.
    Matrix logits;
    /// [n_layers * n_heads], index layer * n_heads + head; each [n_tokens][held + n_tokens] over
    /// the layer's slots (held: the layer's length before the pass; = start_pos unless a bounded
    /// cache evicted): row i is the query of start_pos + i; entries right of the diagonal are 0.
    std::vector<Matrix> attention;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string name() const = 0;

    /// Runs `tokens` at positions [start_pos, start_pos + n), appending their K/V to the slots
    /// after each layer's held rows and attending over every held row and the new ones (without
    /// eviction the held rows are positions [0, start_pos)). Pre: layerLength(l) + n <=
    /// cache.capacity() for every layer, tokens in [0, vocab).
    virtual void forward(const Model& model, KvCache& cache, std::span<const TokenId> tokens,
                         std::int64_t start_pos, const ForwardOptions& options,
                         ForwardOutput& out) = 0;
};

}  // namespace kvscope

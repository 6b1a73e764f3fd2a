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
};

struct ForwardOutput {
    /// [n_tokens or 1][vocab]: logits of every new token (all_logits) or of the last one.
    Matrix logits;
    /// [n_layers * n_heads], index layer * n_heads + head; each [n_tokens][start_pos + n_tokens]:
    /// row i is query position start_pos + i; entries right of the diagonal are 0 (causal).
    std::vector<Matrix> attention;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string name() const = 0;

    /// Runs `tokens` at positions [start_pos, start_pos + n), appending their K/V to `cache` and
    /// attending over positions [0, start_pos + n). Pre: cache.length() == start_pos,
    /// start_pos + n <= cache.capacity(), tokens in [0, vocab).
    virtual void forward(const Model& model, KvCache& cache, std::span<const TokenId> tokens,
                         std::int64_t start_pos, const ForwardOptions& options,
                         ForwardOutput& out) = 0;
};

}  // namespace kvscope

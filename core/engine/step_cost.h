#pragma once
// Analytic cost of one forward pass: FLOPs (a multiply-add counts 2; element-wise work such as
// norms, RoPE and softmax is not counted) and the minimum bytes moved (each weight read once per
// pass, each K/V row read once per layer, new K/V written), fp32. A sliding-window layer attends
// over (and reads) its window only. An implementation that re-reads K/V per query row (as the CPU
// backend does in prefill) moves more than this ideal.
#include <cstdint>

#include "core/model/model_config.h"

namespace kvscope {

struct StepCost {
    double flops = 0;
    double weight_bytes_read = 0;
    double kv_bytes_read = 0;
    double kv_bytes_written = 0;
    double bytesMoved() const { return weight_bytes_read + kv_bytes_read + kv_bytes_written; }
    bool operator==(const StepCost&) const = default;
};

/// Cost of running n_new tokens at positions [start_pos, start_pos + n_new) with logits computed
/// for n_logits of them.
StepCost forwardCost(const ModelConfig& config, std::int64_t start_pos, std::int64_t n_new,
                     std::int64_t n_logits);

}  // namespace kvscope

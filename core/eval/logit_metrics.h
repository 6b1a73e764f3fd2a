#pragma once
// The next-token metrics every evaluation harness shares (quant_eval, evict_eval): log softmax,
// KL divergence, greedy argmax, the first step two greedy texts part.
#include <vector>

#include "core/model/model_weights.h"
#include "core/model/tokenizer.h"

namespace kvscope {

/// log softmax in double. logits: [vocab].
std::vector<double> logSoftmax(const Vector& logits);
/// KL(p || q) of two log-distributions, nats (clamped at 0).
double klDivergence(const std::vector<double>& log_p, const std::vector<double>& log_q);
/// The first maximum: the lowest id on ties, as greedy sampling.
Eigen::Index argmax(const Vector& v);
/// The 1-based step whose token first differs; 0 when `got` equals `ref` over ref.size().
std::int64_t firstDivergence(const std::vector<TokenId>& ref, const std::vector<TokenId>& got);

}  // namespace kvscope

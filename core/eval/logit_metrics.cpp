#include "core/eval/logit_metrics.h"

#include <algorithm>
#include <cmath>

namespace kvscope {

std::vector<double> logSoftmax(const Vector& logits) {
    const double max = double(logits.maxCoeff());
    double sum = 0;
    for (Eigen::Index i = 0; i < logits.size(); ++i)
        sum += std::exp(double(logits[i]) - max);
    const double log_sum = max + std::log(sum);
    std::vector<double> out(std::size_t(logits.size()));
    for (Eigen::Index i = 0; i < logits.size(); ++i)
        out[std::size_t(i)] = double(logits[i]) - log_sum;
    return out;
}

double klDivergence(const std::vector<double>& log_p, const std::vector<double>& log_q) {
    double kl = 0;
    for (std::size_t i = 0; i < log_p.size(); ++i)
        kl += std::exp(log_p[i]) * (log_p[i] - log_q[i]);
    return std::max(0.0, kl);
}

Eigen::Index argmax(const Vector& v) {
    Eigen::Index best = 0;
    v.maxCoeff(&best);
    return best;
}

std::int64_t firstDivergence(const std::vector<TokenId>& ref, const std::vector<TokenId>& got) {
    for (std::size_t i = 0; i < ref.size(); ++i)
        if (i >= got.size() || got[i] != ref[i]) return std::int64_t(i) + 1;
    return 0;
}

}  // namespace kvscope

#include "core/engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/util/error.h"

namespace kvscope {

void SamplingParams::validate() const {
    if (!std::isfinite(temperature) || temperature < 0.0f) {
        throw InputError("sampling: temperature must be a finite number >= 0, got " +
                         std::to_string(temperature));
    }
    if (top_k < 0) throw InputError("sampling: top_k must be >= 0, got " + std::to_string(top_k));
    if (!(top_p > 0.0f && top_p <= 1.0f)) {
        throw InputError("sampling: top_p must be in (0, 1], got " + std::to_string(top_p));
    }
}

namespace {

/// softmax(logits / temperature): [vocab].
Vector softmax(const Vector& logits, float temperature) {
    const float max = logits.maxCoeff();
    Vector p = ((logits.array() - max) / temperature).exp();
    return p / p.sum();
}

/// Token ids ordered by probability, highest first; ties by lower id (deterministic).
std::vector<TokenId> rankByProb(const Vector& probs, std::int64_t keep) {
    std::vector<TokenId> ids(std::size_t(probs.size()));
    std::iota(ids.begin(), ids.end(), 0);
    auto higher = [&](TokenId a, TokenId b) {
        return probs[a] != probs[b] ? probs[a] > probs[b] : a < b;
    };
    keep = std::min<std::int64_t>(keep, probs.size());
    std::partial_sort(ids.begin(), ids.begin() + keep, ids.end(), higher);
    ids.resize(std::size_t(keep));
    return ids;
}

}  // namespace

std::vector<TokenProb> topTokens(const Vector& logits, std::int64_t k) {
    const Vector probs = softmax(logits, 1.0f);
    std::vector<TokenProb> top;
    for (TokenId id : rankByProb(probs, k))
        top.push_back({id, probs[id]});
    return top;
}

float tokenProbability(const Vector& logits, TokenId id) {
    const float max = logits.maxCoeff();
    return std::exp(logits[id] - max) / (logits.array() - max).exp().sum();
}

Sampler::Sampler(SamplingParams params) : m_params(params), m_rng(params.seed) {
    m_params.validate();
}

double Sampler::uniform() {
    return double(m_rng() >> 11) * 0x1.0p-53;
}

TokenId Sampler::sample(const Vector& logits) {
    if (m_params.temperature == 0.0f) {
        Eigen::Index best = 0;
        logits.maxCoeff(&best);  // first maximum: the lowest id wins ties
        return TokenId(best);
    }
    const Vector probs = softmax(logits, m_params.temperature);
    const std::int64_t k = m_params.top_k > 0 ? m_params.top_k : probs.size();
    std::vector<TokenId> candidates = rankByProb(probs, k);
    // Nucleus over the top-k set renormalised: the shortest prefix whose share reaches top_p.
    double k_mass = 0.0;
    for (TokenId id : candidates)
        k_mass += probs[id];
    double mass = 0.0;
    std::size_t keep = 0;
    while (keep < candidates.size() && (keep == 0 || mass < double(m_params.top_p) * k_mass)) {
        mass += probs[candidates[keep++]];
    }
    candidates.resize(keep);
    const double target = uniform() * mass;
    double cumulative = 0.0;
    for (TokenId id : candidates) {
        cumulative += probs[id];
        if (target < cumulative) return id;
    }
    return candidates.back();  // rounding: the target fell past the last sum
}

}  // namespace kvscope

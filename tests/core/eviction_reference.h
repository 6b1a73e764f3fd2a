#pragma once
// The shared parts of the bounded-cache tests: the tokens they feed, a session fed them one by one,
// and the independent reference (a plain forward pass in double, token by token, over the keys a
// mask names), plus a snapshot of what a bounded session holds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include "core/engine/cache_evictor.h"
#include "core/engine/session.h"
#include "core/model/model.h"

namespace kvscope::test {

using V = std::vector<std::int64_t>;

/// The tokens every test feeds: BOS, then a fixed pseudo-random walk through the vocab.
inline std::vector<TokenId> testTokens(const Model& model, std::int64_t n) {
    std::vector<TokenId> out = {model.tokenizer->bos()};
    std::uint64_t x = 12345;
    while (std::int64_t(out.size()) < n) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        out.push_back(TokenId((x >> 33) % std::uint64_t(model.config.vocab)));
    }
    return out;
}

/// A session fed tokens[0] as its prompt, then tokens[1..] forced one by one; calls `each` after
/// every step (the prefill included).
inline void feed(Session& s, const std::vector<TokenId>& tokens,
                 const std::function<void()>& each) {
    s.prefill(std::vector<TokenId>{tokens[0]});
    each();
    for (std::size_t i = 1; i < tokens.size(); ++i) {
        s.stepForced(tokens[i]);
        each();
    }
}

/// The bounded caches the layout tests sweep, in this order: every policy but full, keys at their
/// original positions and re-rotated, one set per layer and (head-wise policies) per KV head;
/// budget 7, 2 sinks, window 2.
inline std::vector<EvictionSpec> layoutTestSpecs() {
    std::vector<EvictionSpec> out;
    for (EvictionPolicy p : allEvictionPolicies()) {
        if (p == EvictionPolicy::Full) continue;
        for (EvictionPositions pos : {EvictionPositions::Original, EvictionPositions::Rerotate}) {
            for (bool per_head : {false, true}) {
                const EvictionSpec spec{.policy = p,
                                        .budget = 7,
                                        .sinks = 2,
                                        .window = 2,
                                        .positions = pos,
                                        .per_head = per_head};
                if (!per_head || spec.headWise()) out.push_back(spec);
            }
        }
    }
    return out;
}

/// Feeds `tokens` to a contiguous and a paged session of the same model and bounded cache,
/// REQUIREs the paged logits to equal the contiguous ones bit for bit after every step, and
/// returns the most holes any of the first `layers` layers had at any step.
inline std::int64_t feedPagedBesideContiguous(Session& contiguous, Session& paged,
                                              const std::vector<TokenId>& tokens,
                                              std::int64_t layers) {
    std::vector<Vector> want;
    feed(contiguous, tokens, [&] { want.push_back(contiguous.lastLogits()); });
    std::size_t i = 0;
    std::int64_t most_holes = 0;
    feed(paged, tokens, [&] {
        REQUIRE(paged.lastLogits() == want[i++]);
        for (std::int64_t l = 0; l < layers; ++l)
            most_holes = std::max(most_holes, paged.cache().holes(l));
    });
    return most_holes;
}

// ---- The independent reference: a plain forward pass in double, token by token ------------
// Query p attends to the keys `visible(p)` returns; key j of query p is rotated at
// keyPos(p, j) and the query at queryPos(p). Pre-rotation K and V of every position are kept.
struct MaskedReference {
    const Model& m;
    std::function<V(std::int64_t)> visible;
    std::function<std::int64_t(std::int64_t, std::int64_t)> key_pos;
    std::function<std::int64_t(std::int64_t)> query_pos;
    /// When set: the keys query p sees in `layer` (overrides `visible`): sliding-window layers.
    std::function<V(std::int64_t layer, std::int64_t p)> layer_visible = nullptr;
    /// When set: the keys query p sees through KV head `kv_head` of `layer` (overrides both):
    /// per-head eviction.
    std::function<V(std::int64_t layer, std::int64_t kv_head, std::int64_t p)> head_visible =
        nullptr;
    std::vector<std::vector<Eigen::VectorXd>> k_raw, v;  // [layer][pos] [kv_dim]

    /// The run's RoPE frequency divisors (ModelWeights::ropeFactors at its context); empty: none.
    Vector rope_factors = Vector();

    /// RoPE written out from the config's fields: pair i of a head's first ropeDims() values,
    /// adjacent (2i, 2i+1) or halves (i, i + dims/2), turns by
    /// pos * rope_freq_scale * rope_theta^(-2i/dims) / rope_factors[i], and its cos and sin are
    /// scaled by rope_attn_factor. (Not for YaRN, local RoPE bases or scales.)
    Eigen::VectorXd rope(Eigen::VectorXd x, std::int64_t pos, const ModelConfig& c) const {
        const std::int64_t dims = c.ropeDims(), half = dims / 2;
        const bool pairs = c.rope_style == RopeStyle::Pairs;
        for (std::int64_t base = 0; base < x.size(); base += c.head_dim) {
            for (std::int64_t p = 0; p < half; ++p) {
                double freq = double(c.rope_freq_scale) *
                              std::pow(double(c.rope_theta), -double(2 * p) / double(dims));
                if (rope_factors.size() != 0) freq /= double(rope_factors[p]);
                const double a = double(pos) * freq, m = double(c.rope_attn_factor);
                const std::int64_t u = base + (pairs ? 2 * p : p);
                const std::int64_t v = base + (pairs ? 2 * p + 1 : p + half);
                const double x0 = x[u], x1 = x[v];
                x[u] = m * (x0 * std::cos(a) - x1 * std::sin(a));
                x[v] = m * (x0 * std::sin(a) + x1 * std::cos(a));
            }
        }
        return x;
    }
    static Eigen::VectorXd rms(const Eigen::VectorXd& x, const Vector& w, float eps) {
        const double inv = 1.0 / std::sqrt(x.squaredNorm() / double(x.size()) + eps);
        return (x * inv).cwiseProduct(w.cast<double>());
    }

    /// Logits after feeding token `t` at position p (p = the number fed before).
    Eigen::VectorXd step(TokenId t) {
        const ModelConfig& c = m.config;
        const ModelWeights& w = m.weights;
        if (k_raw.empty()) k_raw.resize(std::size_t(c.n_layers)), v.resize(std::size_t(c.n_layers));
        const std::int64_t p = std::int64_t(k_raw[0].size());
        Eigen::VectorXd x = w.token_embd.toMatrix().row(t).transpose().cast<double>();
        for (std::int64_t l = 0; l < c.n_layers; ++l) {
            const LayerWeights& lw = w.layers[std::size_t(l)];
            const Eigen::VectorXd h = rms(x, lw.attn_norm, c.norm_eps);
            const Eigen::VectorXd q = rope(lw.wq.toMatrix().cast<double>() * h, query_pos(p), c);
            k_raw[std::size_t(l)].push_back(lw.wk.toMatrix().cast<double>() * h);
            v[std::size_t(l)].push_back(lw.wv.toMatrix().cast<double>() * h);
            const V layer_keys = head_visible    ? V{}
                                 : layer_visible ? layer_visible(l, p)
                                                 : visible(p);
            Eigen::VectorXd att = Eigen::VectorXd::Zero(c.qDim());
            for (std::int64_t head = 0; head < c.n_heads; ++head) {
                const std::int64_t kvh = head / (c.n_heads / c.n_kv_heads);
                const V keys = head_visible ? head_visible(l, kvh, p) : layer_keys;
                Eigen::VectorXd s(keys.size());
                for (std::size_t i = 0; i < keys.size(); ++i) {
                    const Eigen::VectorXd k =
                        rope(k_raw[std::size_t(l)][std::size_t(keys[i])], key_pos(p, keys[i]), c);
                    s[Eigen::Index(i)] = q.segment(head * c.head_dim, c.head_dim)
                                             .dot(k.segment(kvh * c.head_dim, c.head_dim)) /
                                         std::sqrt(double(c.head_dim));
                }
                s = (s.array() - s.maxCoeff()).exp();
                s /= s.sum();
                for (std::size_t i = 0; i < keys.size(); ++i)
                    att.segment(head * c.head_dim, c.head_dim) +=
                        s[Eigen::Index(i)] * v[std::size_t(l)][std::size_t(keys[i])].segment(
                                                 kvh * c.head_dim, c.head_dim);
            }
            x += lw.wo.toMatrix().cast<double>() * att;
            const Eigen::VectorXd h2 = rms(x, lw.ffn_norm, c.norm_eps);
            Eigen::VectorXd g = lw.w_gate.toMatrix().cast<double>() * h2;
            const Eigen::VectorXd u = lw.w_up.toMatrix().cast<double>() * h2;
            for (Eigen::Index i = 0; i < g.size(); ++i)
                g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
            x += lw.w_down.toMatrix().cast<double>() * g;
        }
        return w.classifier(c).toMatrix().cast<double>() * rms(x, w.output_norm, c.norm_eps);
    }
};

inline V lastW(std::int64_t p, std::int64_t w) {
    V out;
    for (std::int64_t j = std::max<std::int64_t>(0, p - w + 1); j <= p; ++j)
        out.push_back(j);
    return out;
}

/// The keys a streaming cache (StreamingLLM) lets query p see: every key until `budget` are held,
/// then the `sinks` first and the budget - sinks most recent, p included.
inline V streamingVisible(std::int64_t p, std::int64_t sinks, std::int64_t budget) {
    if (p < budget) return lastW(p, p + 1);
    V v = lastW(sinks - 1, sinks);
    for (std::int64_t j = p - (budget - sinks) + 1; j <= p; ++j)
        v.push_back(j);
    return v;
}

/// The logits after `tokens` with every position visible (the control every masked test
/// compares against: the unbounded model).
inline Eigen::VectorXd unmaskedLogits(const Model& m, const std::vector<TokenId>& tokens) {
    MaskedReference full{m, [](std::int64_t p) { return lastW(p, p + 1); },
                         [](std::int64_t, std::int64_t j) { return j; },
                         [](std::int64_t p) { return p; }};
    Eigen::VectorXd last;
    for (TokenId t : tokens)
        last = full.step(t);
    return last;
}

inline double maxAbsDiff(const Vector& a, const Eigen::VectorXd& b) {
    return (a.cast<double>() - b).cwiseAbs().maxCoeff();
}

struct Held {
    std::vector<V> positions;
    std::vector<std::vector<V>> head_positions;  // [layer][kv_head]
    std::vector<std::vector<float>> k, v;
    std::int64_t logical = 0, physical = 0;
    bool operator==(const Held&) const = default;
};

inline Held held(const Session& s) {
    Held h;
    for (std::int64_t l = 0; l < s.cache().nLayers(); ++l) {
        h.positions.push_back(s.evictor()->positions(l));
        h.head_positions.emplace_back();
        for (std::int64_t kvh = 0; kvh < s.model().config.n_kv_heads; ++kvh)
            h.head_positions.back().push_back(s.evictor()->headPositions(l, kvh));
        h.k.push_back(s.cache().copyKeys(l));
        h.v.push_back(s.cache().copyValues(l));
        h.logical += s.cache().kBytesUsed(l) + s.cache().vBytesUsed(l);
        h.physical += s.cache().bytesAllocated(l);
    }
    return h;
}

/// Whether the policy's scores (not its definition) decide which positions are held.
inline bool scorePolicy(EvictionPolicy p) {
    return p != EvictionPolicy::Full && p != EvictionPolicy::Window &&
           p != EvictionPolicy::Streaming;
}

/// The live cache's bytes summed over the layers, and each layer's held positions (what the
/// estimator needs for a score policy): the other side of an estimator-agreement check.
struct LiveBytes {
    std::int64_t logical = 0, physical = 0, holes = 0;
    std::vector<std::vector<std::int64_t>> held;  // [n_layers] positions (with an evictor)
};

inline LiveBytes liveBytes(const Session& s) {
    LiveBytes b;
    for (std::int64_t l = 0; l < s.cache().nLayers(); ++l) {
        b.logical += s.cache().kBytesUsed(l) + s.cache().vBytesUsed(l);
        b.physical += s.cache().bytesAllocated(l);
        b.holes += s.cache().holes(l);
        if (s.evictor()) b.held.push_back(s.evictor()->positions(l));
    }
    return b;
}

}  // namespace kvscope::test

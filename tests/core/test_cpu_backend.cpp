// The CPU backend against a naive multi-head reference written here from the equations, in
// double precision with plain loops (no Eigen products, no cache).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "core/cache/contiguous_kv_cache.h"
#include "core/engine/cpu_backend.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;

namespace {

using Vec = std::vector<double>;

Vec matVec(const WeightMatrix& weights, const Vec& x) {  // w: [out][in], x: [in]
    const Matrix w = weights.toMatrix();
    Vec y(std::size_t(w.rows()), 0.0);
    for (Eigen::Index r = 0; r < w.rows(); ++r)
        for (Eigen::Index c = 0; c < w.cols(); ++c)
            y[std::size_t(r)] += double(w(r, c)) * x[std::size_t(c)];
    return y;
}

Vec rmsNorm(const Vec& x, const Vector& weight, double eps) {
    double ss = 0;
    for (double v : x)
        ss += v * v;
    const double inv = 1.0 / std::sqrt(ss / double(x.size()) + eps);
    Vec y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = x[i] * inv * double(weight[Eigen::Index(i)]);
    return y;
}

void rope(Vec& x, std::int64_t pos, std::int64_t head_dim, double theta) {
    for (std::size_t base = 0; base < x.size(); base += std::size_t(head_dim)) {
        for (std::int64_t p = 0; p < head_dim / 2; ++p) {
            const double angle = double(pos) * std::pow(theta, -2.0 * double(p) / double(head_dim));
            double& a = x[base + std::size_t(2 * p)];
            double& b = x[base + std::size_t(2 * p + 1)];
            const double a0 = a;
            a = a0 * std::cos(angle) - b * std::sin(angle);
            b = a0 * std::sin(angle) + b * std::cos(angle);
        }
    }
}

/// Logits of every position, and attention[layer][head][query][key], of an MHA model.
struct Reference {
    std::vector<Vec> logits;                               // [n][vocab]
    std::vector<std::vector<std::vector<Vec>>> attention;  // [layer][head][query][key <= query]
};

Reference naiveForward(const Model& model, const std::vector<TokenId>& tokens) {
    const ModelConfig& c = model.config;
    REQUIRE(c.n_kv_heads == c.n_heads);  // this reference is plain multi-head attention
    const std::size_t n = tokens.size(), hd = std::size_t(c.head_dim);
    std::vector<Vec> x(n);
    for (std::size_t i = 0; i < n; ++i)
        for (Eigen::Index d = 0; d < c.d_model; ++d)
            x[i].push_back(model.weights.token_embd.values()(tokens[i], d));
    Reference ref;
    for (const LayerWeights& lw : model.weights.layers) {
        std::vector<Vec> q(n), k(n), v(n);
        for (std::size_t i = 0; i < n; ++i) {
            const Vec h = rmsNorm(x[i], lw.attn_norm, c.norm_eps);
            q[i] = matVec(lw.wq, h);
            k[i] = matVec(lw.wk, h);
            v[i] = matVec(lw.wv, h);
            rope(q[i], std::int64_t(i), c.head_dim, c.rope_theta);
            rope(k[i], std::int64_t(i), c.head_dim, c.rope_theta);
        }
        auto& layer_att = ref.attention.emplace_back(std::size_t(c.n_heads));
        std::vector<Vec> att_out(n, Vec(std::size_t(c.qDim()), 0.0));
        for (std::size_t head = 0; head < std::size_t(c.n_heads); ++head) {
            for (std::size_t i = 0; i < n; ++i) {
                Vec w(i + 1);
                double max = -1e300, sum = 0;
                for (std::size_t j = 0; j <= i; ++j) {
                    double dot = 0;
                    for (std::size_t d = 0; d < hd; ++d)
                        dot += q[i][head * hd + d] * k[j][head * hd + d];
                    w[j] = dot / std::sqrt(double(hd));
                    max = std::max(max, w[j]);
                }
                for (double& s : w)
                    sum += (s = std::exp(s - max));
                for (double& s : w)
                    s /= sum;
                for (std::size_t j = 0; j <= i; ++j)
                    for (std::size_t d = 0; d < hd; ++d)
                        att_out[i][head * hd + d] += w[j] * v[j][head * hd + d];
                layer_att[head].push_back(w);
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            const Vec o = matVec(lw.wo, att_out[i]);
            for (std::size_t d = 0; d < x[i].size(); ++d)
                x[i][d] += o[d];
            const Vec h = rmsNorm(x[i], lw.ffn_norm, c.norm_eps);
            Vec g = matVec(lw.w_gate, h);
            const Vec u = matVec(lw.w_up, h);
            for (std::size_t f = 0; f < g.size(); ++f)
                g[f] = g[f] / (1.0 + std::exp(-g[f])) * u[f];
            const Vec down = matVec(lw.w_down, g);
            for (std::size_t d = 0; d < x[i].size(); ++d)
                x[i][d] += down[d];
        }
    }
    for (std::size_t i = 0; i < n; ++i)
        ref.logits.push_back(matVec(model.weights.classifier(c),
                                    rmsNorm(x[i], model.weights.output_norm, c.norm_eps)));
    return ref;
}

ForwardOutput runAll(const Model& model, const std::vector<TokenId>& tokens) {
    ContiguousKvCache cache(model.config.n_layers, model.config.kvDim(), model.config.max_context);
    ForwardOutput out;
    CpuBackend(1).forward(model, cache, tokens, 0, {.all_logits = true, .want_attention = true},
                          out);
    return out;
}

const std::vector<TokenId> kTokens = {1,       3 + 'H', 3 + 'e', 3 + 'l', 3 + 'l', 3 + 'o', 3 + ' ',
                                      3 + 'w', 3 + 'o', 3 + 'r', 3 + 'l', 3 + 'd', 3 + '!'};

}  // namespace

TEST_CASE("CPU backend equals a naive multi-head reference (MHA)", "[backend]") {
    for (bool tied : {false, true}) {
        auto model = std::make_shared<Model>(*test::tinyModel(4, 4));
        model->config.tied_output = tied;
        if (tied) model->weights.output = Matrix();
        const Reference ref = naiveForward(*model, kTokens);
        const ForwardOutput out = runAll(*model, kTokens);
        REQUIRE(out.logits.rows() == Eigen::Index(kTokens.size()));
        for (std::size_t i = 0; i < kTokens.size(); ++i)
            for (Eigen::Index t = 0; t < model->config.vocab; ++t)
                REQUIRE(out.logits(Eigen::Index(i), t) ==
                        Approx(ref.logits[i][std::size_t(t)]).margin(1e-4));
        for (std::size_t l = 0; l < 2; ++l)
            for (std::size_t h = 0; h < 4; ++h)
                for (std::size_t i = 0; i < kTokens.size(); ++i)
                    for (std::size_t j = 0; j <= i; ++j)
                        REQUIRE(out.attention[l * 4 + h](Eigen::Index(i), Eigen::Index(j)) ==
                                Approx(ref.attention[l][h][i][j]).margin(1e-5));
    }
}

TEST_CASE("GQA and MQA equal MHA with each KV head copied across its query group", "[backend]") {
    for (std::int64_t n_kv : {2, 1}) {
        const auto grouped = test::tinyModel(4, n_kv, 11);
        // The same model written as MHA: KV head h / group serves query head h.
        auto expanded = std::make_shared<Model>(*grouped);
        expanded->config.n_kv_heads = 4;
        const std::int64_t hd = grouped->config.head_dim, group = 4 / n_kv;
        for (std::size_t l = 0; l < expanded->weights.layers.size(); ++l) {
            const LayerWeights& src = grouped->weights.layers[l];
            LayerWeights& dst = expanded->weights.layers[l];
            dst.wk.values().resize(4 * hd, src.wk.cols());
            dst.wv.values().resize(4 * hd, src.wv.cols());
            for (std::int64_t h = 0; h < 4; ++h) {
                dst.wk.values().middleRows(h * hd, hd) =
                    src.wk.values().middleRows((h / group) * hd, hd);
                dst.wv.values().middleRows(h * hd, hd) =
                    src.wv.values().middleRows((h / group) * hd, hd);
            }
        }
        const ForwardOutput a = runAll(*grouped, kTokens);
        const ForwardOutput b = runAll(*expanded, kTokens);
        REQUIRE(a.logits.isApprox(b.logits, 1e-5f));
        const Reference ref = naiveForward(*expanded, kTokens);
        for (std::size_t i = 0; i < kTokens.size(); ++i)
            for (Eigen::Index t = 0; t < a.logits.cols(); t += 17)
                REQUIRE(a.logits(Eigen::Index(i), t) ==
                        Approx(ref.logits[i][std::size_t(t)]).margin(1e-4));
    }
}

TEST_CASE("Attention rows are causal and sum to 1", "[backend]") {
    for (std::int64_t n_kv : {4, 2, 1}) {
        const ForwardOutput out = runAll(*test::tinyModel(4, n_kv), kTokens);
        REQUIRE(out.attention.size() == 2 * 4);
        for (const Matrix& rows : out.attention) {
            REQUIRE(rows.rows() == Eigen::Index(kTokens.size()));
            REQUIRE(rows.cols() == Eigen::Index(kTokens.size()));
            for (Eigen::Index q = 0; q < rows.rows(); ++q) {
                REQUIRE(rows.row(q).head(q + 1).sum() == Approx(1.0).margin(1e-5));
                REQUIRE(rows.row(q).head(q + 1).minCoeff() >= 0.0f);
                REQUIRE(rows.row(q).tail(rows.cols() - q - 1).isZero(0.0f));
            }
        }
    }
}

TEST_CASE("Thread count does not change the result", "[backend]") {
    const auto model = test::tinyModel(4, 2);
    ContiguousKvCache a(2, model->config.kvDim(), 64), b(2, model->config.kvDim(), 64);
    ForwardOutput one, many;
    CpuBackend(1).forward(*model, a, kTokens, 0, {.all_logits = true}, one);
    CpuBackend(4).forward(*model, b, kTokens, 0, {.all_logits = true}, many);
    REQUIRE(one.logits == many.logits);
    REQUIRE(CpuBackend(1).name() == "CPU (Eigen, 1 thread)");
}

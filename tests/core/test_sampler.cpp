#include <catch2/catch.hpp>
#include <map>

#include "core/engine/sampler.h"
#include "core/util/error.h"

using namespace kvscope;

namespace {
Vector logitsOf(std::initializer_list<float> values) {
    Vector v(Eigen::Index(values.size()));
    Eigen::Index i = 0;
    for (float x : values)
        v[i++] = x;
    return v;
}
}  // namespace

TEST_CASE("Greedy picks the argmax, lowest id on ties", "[sampler]") {
    Sampler greedy({.temperature = 0.0f});
    REQUIRE(greedy.sample(logitsOf({0.1f, 3.0f, -2.0f, 3.0f})) == 1);
    REQUIRE(greedy.sample(logitsOf({5.0f})) == 0);
}

TEST_CASE("Top tokens and probabilities are the softmax", "[sampler]") {
    const Vector logits = logitsOf({0.0f, std::log(3.0f), std::log(6.0f)});  // probs 0.1 0.3 0.6
    const auto top = topTokens(logits, 2);
    REQUIRE(top.size() == 2);
    REQUIRE(top[0].id == 2);
    REQUIRE(top[0].prob == Approx(0.6));
    REQUIRE(top[1].id == 1);
    REQUIRE(tokenProbability(logits, 0) == Approx(0.1));
    REQUIRE(topTokens(logits, 10).size() == 3);
}

TEST_CASE("Seeded sampling is reproducible and follows the distribution", "[sampler]") {
    const Vector logits = logitsOf({0.0f, std::log(3.0f), std::log(6.0f)});
    Sampler a({.temperature = 1.0f, .seed = 9}), b({.temperature = 1.0f, .seed = 9});
    std::map<TokenId, int> counts;
    constexpr int kDraws = 20000;
    for (int i = 0; i < kDraws; ++i) {
        const TokenId t = a.sample(logits);
        REQUIRE(t == b.sample(logits));
        ++counts[t];
    }
    // Binomial standard deviation at p = 0.3 over 20000 draws is 0.0032: allow 5 sigma.
    REQUIRE(counts[0] / double(kDraws) == Approx(0.1).margin(0.016));
    REQUIRE(counts[1] / double(kDraws) == Approx(0.3).margin(0.016));
    REQUIRE(counts[2] / double(kDraws) == Approx(0.6).margin(0.016));
}

TEST_CASE("Top-k and top-p cut the candidates", "[sampler]") {
    const Vector logits = logitsOf({0.0f, std::log(3.0f), std::log(6.0f)});  // 0.1 0.3 0.6
    Sampler top1({.temperature = 1.0f, .top_k = 1, .seed = 1});
    Sampler nucleus({.temperature = 1.0f, .top_p = 0.85f, .seed = 1});            // keeps 0.6 + 0.3
    Sampler top2_p({.temperature = 1.0f, .top_k = 2, .top_p = 0.6f, .seed = 1});  // 0.67 of {2,1}
    for (int i = 0; i < 2000; ++i) {
        REQUIRE(top1.sample(logits) == 2);
        REQUIRE(nucleus.sample(logits) != 0);
        REQUIRE(top2_p.sample(logits) == 2);
    }
    // Low temperature sharpens: at T = 0.05 the 0.6 token wins essentially always.
    Sampler cold({.temperature = 0.05f, .seed = 4});
    for (int i = 0; i < 200; ++i)
        REQUIRE(cold.sample(logits) == 2);
}

TEST_CASE("Sampling parameters are validated", "[sampler]") {
    REQUIRE_THROWS_WITH(Sampler({.temperature = -1.0f}), Catch::Contains("temperature"));
    REQUIRE_THROWS_WITH(Sampler({.temperature = std::numeric_limits<float>::infinity()}),
                        Catch::Contains("temperature"));
    REQUIRE_THROWS_WITH(Sampler({.top_k = -3}), Catch::Contains("top_k"));
    REQUIRE_THROWS_WITH(Sampler({.top_p = 1.5f}), Catch::Contains("top_p"));
    REQUIRE_THROWS_WITH(Sampler({.top_p = std::numeric_limits<float>::quiet_NaN()}),
                        Catch::Contains("top_p"));
}

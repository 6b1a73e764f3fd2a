// Session: cached vs recompute, batched vs token-by-token prefill, undo, bytes held.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/engine/cpu_backend.h"
#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/util/error.h"
#include "tests/core/test_util.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;

namespace {

/// Every model a variant test runs on: tiny random MHA/GQA/MQA and the built-in demo variants.
std::vector<std::shared_ptr<const Model>> variantModels() {
    std::vector<std::shared_ptr<const Model>> models = {
        test::tinyModel(4, 4), test::tinyModel(4, 2), test::tinyModel(4, 1)};
    for (const std::string& name : builtinModelNames())
        models.push_back(loadModel(name));
    return models;
}

/// The bound: logits (and cached K/V) within 1e-5. The CPU backend computes each row with
/// the same fixed-order dot products whatever the batch, so in practice they agree exactly.
bool agree(float a, float b) {
    return std::abs(a - b) <= 1e-5f;
}

}  // namespace

TEST_CASE("Cached and recompute give the same tokens and logits at every position", "[session]") {
    for (const auto& model : variantModels()) {
        INFO(model->config.name << " " << toString(model->config.attentionVariant()));
        Session cached(model, {.mode = CacheMode::Cached});
        Session recompute(model, {.mode = CacheMode::Recompute});
        const auto ids = promptTokens(*model, "the cat sat");
        const StepRecord& a0 = cached.prefill(ids);
        const StepRecord& b0 = recompute.prefill(ids);
        REQUIRE(a0.next_token == b0.next_token);
        for (int step = 0; step < 20; ++step) {
            REQUIRE(cached.lastLogits().size() == model->config.vocab);
            for (Eigen::Index t = 0; t < cached.lastLogits().size(); ++t)
                REQUIRE(agree(cached.lastLogits()[t], recompute.lastLogits()[t]));
            const StepRecord& a = cached.step();
            const StepRecord& b = recompute.step();
            REQUIRE(a.next_token == b.next_token);
        }
        REQUIRE(cached.tokens() == recompute.tokens());
        // Recompute holds no K/V between steps and does quadratically more work.
        REQUIRE(recompute.records().back().kvBytesHeld() == 0);
        REQUIRE(cached.records().back().kvBytesHeld() > 0);
        REQUIRE(recompute.records().back().cost.flops > 10 * cached.records().back().cost.flops);
    }
}

TEST_CASE("Batched prefill equals token-by-token prefill", "[session]") {
    for (const auto& model : variantModels()) {
        INFO(model->config.name);
        const auto ids = promptTokens(*model, "Once upon a time");
        Session batched(model, {});
        batched.prefill(ids);
        Session single(model, {});
        single.prefill(std::span(ids).first(1));
        for (std::size_t i = 1; i < ids.size(); ++i)
            single.stepForced(ids[i]);
        REQUIRE(single.position() == batched.position());
        for (Eigen::Index t = 0; t < batched.lastLogits().size(); ++t)
            REQUIRE(agree(batched.lastLogits()[t], single.lastLogits()[t]));
        // The cached K/V bytes agree too.
        for (std::int64_t l = 0; l < model->config.n_layers; ++l) {
            const std::int64_t values = batched.position() * model->config.kvDim();
            const auto bk = batched.cache().copyKeys(l), sk = single.cache().copyKeys(l);
            const auto bv = batched.cache().copyValues(l), sv = single.cache().copyValues(l);
            REQUIRE(std::int64_t(bk.size()) == values);
            for (std::size_t i = 0; i < std::size_t(values); ++i) {
                REQUIRE(agree(bk[i], sk[i]));
                REQUIRE(agree(bv[i], sv[i]));
            }
        }
        // The prefill record carries the whole lower triangle at once.
        const StepRecord& rec = batched.records().front();
        REQUIRE(rec.phase == Phase::Prefill);
        REQUIRE(rec.layers[0].attention[0].rows() == Eigen::Index(ids.size()));
        REQUIRE(single.records().back().layers[0].attention[0].rows() == 1);
        REQUIRE(single.records().back().layers[0].attention[0].cols() == Eigen::Index(ids.size()));
    }
}

TEST_CASE("undo() truncates the cache for real and step() then reproduces the step", "[session]") {
    for (float temperature : {0.0f, 0.9f}) {
        const auto model = loadModel("builtin:demo");
        Session session(model, {.sampling = {.temperature = temperature, .top_k = 40, .seed = 3}});
        session.prefill(promptTokens(*model, "abc"));
        for (int i = 0; i < 5; ++i)
            session.step();
        const std::int64_t before = session.position();
        const StepRecord original = session.step();
        const Vector original_logits = session.lastLogits();

        session.undo();
        REQUIRE(session.position() == before);
        REQUIRE(session.cache().length() == before);
        REQUIRE(session.records().size() == 6);
        for (std::int64_t l = 0; l < model->config.n_layers; ++l)
            REQUIRE(session.cache().kBytesUsed(l) == model->config.kvDim() * before * 4);

        const StepRecord& again = session.step();
        REQUIRE(again.tokens == original.tokens);
        REQUIRE(again.next_token == original.next_token);
        REQUIRE(session.lastLogits() == original_logits);
        REQUIRE(again.kvBytesHeld() == original.kvBytesHeld());

        // Undo all the way: undoing the prefill leaves an empty session.
        while (session.canUndo())
            session.undo();
        REQUIRE(session.position() == 0);
        REQUIRE(session.cache().length() == 0);
    }
}

TEST_CASE("KV bytes per layer are 2 * n_kv_heads * head_dim * positions * 4", "[session]") {
    for (const auto& model : variantModels()) {
        const ModelConfig& c = model->config;
        Session session(model, {});
        const auto ids = promptTokens(*model, "hello");
        session.prefill(ids);
        for (int i = 0; i < 3; ++i)
            session.step();
        std::int64_t positions = std::int64_t(ids.size());
        for (const StepRecord& rec : session.records()) {
            if (rec.phase == Phase::Decode) ++positions;
            if (rec.phase == Phase::Prefill) REQUIRE(rec.positionsAfter() == positions);
            for (const LayerRecord& layer : rec.layers) {
                REQUIRE(layer.k_bytes + layer.v_bytes ==
                        2 * c.n_kv_heads * c.head_dim * positions * 4);
                REQUIRE(layer.bytes_allocated == 2 * c.n_kv_heads * c.head_dim * c.max_context * 4);
            }
        }
    }
}

TEST_CASE("Same scenario and seed give the same tokens", "[session]") {
    const auto model = loadModel("builtin:demo-gqa");
    auto run = [&](std::uint64_t seed) {
        Session s(model, {.sampling = {.temperature = 1.0f, .top_p = 0.9f, .seed = seed}});
        s.prefill(promptTokens(*model, "seeded"));
        for (int i = 0; i < 30; ++i)
            s.step();
        return s.tokens();
    };
    REQUIRE(run(5) == run(5));
    REQUIRE(run(5) != run(6));
}

TEST_CASE("Session rejects bad input with a clear message", "[session]") {
    const auto model = test::tinyModel(4, 2);
    Session session(model, {.max_context = 4});
    REQUIRE_THROWS_WITH(session.step(), Catch::Contains("before prefill"));
    REQUIRE_THROWS_WITH(session.prefill(std::vector<TokenId>{}), Catch::Contains("empty"));
    REQUIRE_THROWS_WITH(session.prefill(std::vector<TokenId>{1, 999}), Catch::Contains("999"));
    REQUIRE_THROWS_WITH(session.prefill(std::vector<TokenId>{1, 5, 6, 7, 8}),
                        Catch::Contains("context limit of 4"));
    REQUIRE(session.position() == 0);  // nothing half-done
    session.prefill(std::vector<TokenId>{1, 5, 6, 7});
    REQUIRE_THROWS_WITH(session.step(), Catch::Contains("context full"));
    REQUIRE_THROWS_WITH(session.prefill(std::vector<TokenId>{1}), Catch::Contains("twice"));
    REQUIRE_THROWS_AS(Session(model, {.max_context = -1}), InputError);
    REQUIRE_THROWS_AS(Session(model, {.sampling = {.top_p = 0.0f}}), InputError);
}

#include <catch2/catch.hpp>

#include <memory>
#include <span>
#include <vector>

#include "core/engine/step_cost.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;

TEST_CASE("Step cost matches a hand count", "[cost]") {
    // 2 layers, d 32, 4 heads x 8, 2 KV heads, d_ff 48, vocab 259.
    const ModelConfig c = test::tinyConfig(4, 2);
    // One decode token at position 9 (keys 0..9): per layer the matrices are
    // wq 32x32 + wk 16x32 + wv 16x32 + wo 32x32 + 3 x 48x32 = 7680 multiply-adds;
    // attention 4 heads x 8 dims x 10 keys x 2 (q.k and a.v) = 640; classifier 259 x 32 = 8288.
    const StepCost decode = forwardCost(c, 9, 1, 1);
    REQUIRE(decode.flops == Approx(2.0 * (2 * 7680 + 2 * 640 + 8288)));
    // Weights: 2 x 7680 matrices + 2 x 2 x 32 norms + 32 final norm + 32 embedding row + 8288.
    REQUIRE(decode.weight_bytes_read == Approx(4.0 * (2 * 7680 + 128 + 32 + 32 + 8288)));
    // K/V: 10 positions x 2 layers x 2 x 16 values x 4 B read; one position written.
    REQUIRE(decode.kv_bytes_read == Approx(10 * 2 * 2 * 16 * 4));
    REQUIRE(decode.kv_bytes_written == Approx(2 * 2 * 16 * 4));

    // Prefill of 3 tokens at 0..2 sees 1 + 2 + 3 = 6 keys in total per head.
    const StepCost prefill = forwardCost(c, 0, 3, 1);
    REQUIRE(prefill.flops == Approx(2.0 * (3 * 2 * 7680 + 2 * 4 * 8 * 6 * 2 + 8288)));
    REQUIRE(prefill.bytesMoved() ==
            Approx(prefill.weight_bytes_read + prefill.kv_bytes_read + prefill.kv_bytes_written));
}

TEST_CASE("Step cost counts the weights as stored", "[cost]") {
    // The tiny shape (2 layers, d 32, 4 heads x 8, 2 KV heads, d_ff 48, vocab 259) with every
    // matrix whose rows are whole 32-blocks stored as Q8_0 (34 bytes per 32 values) and w_down
    // (rows of 48) fp32, and an untied classifier.
    ModelConfig c = test::tinyConfig(4, 2);
    c.tied_output = false;
    ModelWeights w = ModelWeights::zeros(c);
    auto bytes = std::make_shared<std::vector<std::byte>>(std::size_t(259 * 34), std::byte{0});
    const auto q8 = [&](std::int64_t rows) {
        return WeightMatrix::view(GgmlType::Q8_0, rows, 32,
                                  std::span(bytes->data(), std::size_t(rows * 34)), bytes);
    };
    w.token_embd = q8(259);
    w.output = q8(259);
    for (LayerWeights& l : w.layers) {
        l.wq = q8(32);
        l.wk = q8(16);
        l.wv = q8(16);
        l.wo = q8(32);
        l.w_gate = q8(48);
        l.w_up = q8(48);
    }
    // Per layer: wq 32 x 34 + wk 16 x 34 + wv 16 x 34 + wo 32 x 34 + gate, up 2 x 48 x 34
    //   = 1088 + 544 + 544 + 1088 + 3264 = 6528 B, and w_down 32 x 48 x 4 = 6144 B fp32.
    // Norms: (2 layers x 2 + 1) x 32 x 4 = 640 B. Embedding row 34 B, classifier 259 x 34 = 8806.
    const WeightBytes stored = storedWeightBytes(w, c);
    CHECK(stored.fixed == 2 * (6528 + 6144) + 640);
    CHECK(stored.embedding_row == 34);
    CHECK(stored.classifier == 8806);
    CHECK(forwardCost(c, 9, 1, 1, stored).weight_bytes_read == 25344 + 640 + 34 + 8806);
    // Prefill of 3 tokens: three embedding rows, one classifier pass.
    CHECK(forwardCost(c, 0, 3, 1, stored).weight_bytes_read == 25344 + 640 + 3 * 34 + 8806);
    // The same shapes in fp32 (the overload without weights).
    CHECK(forwardCost(c, 9, 1, 1).weight_bytes_read == 4.0 * (2 * 7680 + 128 + 32 + 32 + 259 * 32));
}

TEST_CASE("Step cost of a sliding-window layer counts its window only", "[cost]") {
    ModelConfig c = test::tinyConfig(4, 2);
    c.sliding_window = 4;
    c.local_layers = {true, false};
    // Decode at position 9: layer 0 sees keys 6..9 (4), layer 1 keys 0..9 (10). Attention
    // 4 heads x 8 dims x 2 = 64 per key; the matrices as in the hand count above.
    const StepCost decode = forwardCost(c, 9, 1, 1);
    CHECK(decode.flops == Approx(2.0 * (2 * 7680 + 64 * (4 + 10) + 8288)));
    CHECK(decode.kv_bytes_read == Approx((4 + 10) * 2 * 16 * 4));
    // Prefill of 6 at 0..5: layer 0 sees 1, 2, 3, 4, 4, 4 = 18 keys, layer 1 21; both read 6 rows.
    const StepCost prefill = forwardCost(c, 0, 6, 1);
    CHECK(prefill.flops == Approx(2.0 * (6 * 2 * 7680 + 64 * (18 + 21) + 8288)));
    CHECK(prefill.kv_bytes_read == Approx((6 + 6) * 2 * 16 * 4));
    CHECK(prefill.kv_bytes_written == Approx(6 * 2 * 2 * 16 * 4));
}

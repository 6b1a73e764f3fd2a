// The pieces the architectures beyond llama add to the CPU forward pass, each against a hand
// calculation written here: RoPE on pairs and on halves, partial rope_dims, Llama 3 frequency
// factors and linear scaling, soft-capping, the tanh GELU, per-head RMSNorm, the sliding-window
// mask, and splitting a fused tensor into row ranges.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "core/engine/cpu_attention.h"
#include "core/engine/cpu_layer_ops.h"
#include "core/engine/cpu_rope.h"

using namespace kvscope;

namespace {

ModelConfig ropeConfig(RopeStyle style, std::int64_t head_dim, std::int64_t rope_dims) {
    ModelConfig c;
    c.n_layers = 1;
    c.head_dim = head_dim;
    c.rope_dims = rope_dims;
    c.rope_style = style;
    c.rope_theta = 10000.0f;
    return c;
}

/// Rotates `values` (one row) at position `pos` with layer 0 of `c`.
std::vector<float> rotated(const ModelConfig& c, std::vector<float> values, std::int64_t pos,
                           const Vector& factors = Vector()) {
    const cpu::RopeSpec spec = cpu::ropeSpec(c, 0, factors);
    const cpu::RopeTable table = cpu::ropeTable(spec, pos, 1);
    cpu::rotateRow(values.data(), std::int64_t(values.size()), table, 0, spec);
    return values;
}

/// (a, b) rotated by `angle`: (a cos - b sin, a sin + b cos).
std::pair<double, double> turn(double a, double b, double angle) {
    return {a * std::cos(angle) - b * std::sin(angle), a * std::sin(angle) + b * std::cos(angle)};
}

}  // namespace

TEST_CASE("RoPE rotates adjacent pairs (llama) or halves (NEOX) of a head", "[rope]") {
    // head_dim 4, theta 10000: pair 0 turns 1 rad per position, pair 1 10000^(-2/4) = 0.01 rad.
    const std::vector<float> x = {1, 2, 3, 4};
    SECTION("pairs: (x0, x1) and (x2, x3)") {
        const std::vector<float> y = rotated(ropeConfig(RopeStyle::Pairs, 4, 0), x, 1);
        const auto [y0, y1] = turn(1, 2, 1.0);
        const auto [y2, y3] = turn(3, 4, 0.01);
        CHECK(y[0] == Approx(y0).margin(1e-6));
        CHECK(y[1] == Approx(y1).margin(1e-6));
        CHECK(y[2] == Approx(y2).margin(1e-6));
        CHECK(y[3] == Approx(y3).margin(1e-6));
    }
    SECTION("halves: (x0, x2) and (x1, x3)") {
        const std::vector<float> y = rotated(ropeConfig(RopeStyle::Halves, 4, 0), x, 1);
        const auto [y0, y2] = turn(1, 3, 1.0);
        const auto [y1, y3] = turn(2, 4, 0.01);
        CHECK(y[0] == Approx(y0).margin(1e-6));
        CHECK(y[1] == Approx(y1).margin(1e-6));
        CHECK(y[2] == Approx(y2).margin(1e-6));
        CHECK(y[3] == Approx(y3).margin(1e-6));
    }
    SECTION("position 3 turns three times as far") {
        const std::vector<float> y = rotated(ropeConfig(RopeStyle::Halves, 4, 0), x, 3);
        const auto [y0, y2] = turn(1, 3, 3.0);
        CHECK(y[0] == Approx(y0).margin(1e-6));
        CHECK(y[2] == Approx(y2).margin(1e-6));
    }
}

TEST_CASE("Partial RoPE rotates the first rope_dims values of every head only", "[rope]") {
    // Two heads of 6 values, rope_dims 4 (theta 10000: pair 0 at 1 rad, pair 1 at 0.01 rad per
    // position); values 4 and 5 of each head pass through.
    const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    SECTION("halves of the rotated span: (0, 2), (1, 3)") {
        const std::vector<float> y = rotated(ropeConfig(RopeStyle::Halves, 6, 4), x, 2);
        for (int head = 0; head < 2; ++head) {
            const int b = 6 * head;
            const auto [y0, y2] = turn(x[b + 0], x[b + 2], 2.0);
            const auto [y1, y3] = turn(x[b + 1], x[b + 3], 0.02);
            CHECK(y[b + 0] == Approx(y0).margin(1e-5));
            CHECK(y[b + 1] == Approx(y1).margin(1e-5));
            CHECK(y[b + 2] == Approx(y2).margin(1e-5));
            CHECK(y[b + 3] == Approx(y3).margin(1e-5));
            CHECK(y[b + 4] == x[b + 4]);
            CHECK(y[b + 5] == x[b + 5]);
        }
    }
    SECTION("pairs: (0, 1), (2, 3)") {
        const std::vector<float> y = rotated(ropeConfig(RopeStyle::Pairs, 6, 4), x, 2);
        const auto [y0, y1] = turn(7, 8, 2.0);
        const auto [y2, y3] = turn(9, 10, 0.02);
        CHECK(y[6] == Approx(y0).margin(1e-5));
        CHECK(y[7] == Approx(y1).margin(1e-5));
        CHECK(y[8] == Approx(y2).margin(1e-5));
        CHECK(y[9] == Approx(y3).margin(1e-5));
        CHECK(y[10] == 11.0f);
        CHECK(y[11] == 12.0f);
    }
}

TEST_CASE("RoPE frequency factors divide, linear scaling multiplies each pair's angle", "[rope]") {
    ModelConfig c = ropeConfig(RopeStyle::Pairs, 4, 0);
    const std::vector<float> x = {1, 0, 1, 0};
    SECTION("rope_freqs [1, 4]: pair 1 turns 0.01 / 4 rad per position") {
        Vector factors(2);
        factors << 1.0f, 4.0f;
        const std::vector<float> y = rotated(c, x, 100, factors);
        CHECK(y[0] == Approx(std::cos(100.0)).margin(1e-4));
        CHECK(y[2] == Approx(std::cos(0.25)).margin(1e-6));
        CHECK(y[3] == Approx(std::sin(0.25)).margin(1e-6));
    }
    SECTION("freq_scale 1/8: position 8 turns as position 1") {
        c.rope_freq_scale = 0.125f;
        const std::vector<float> y = rotated(c, x, 8);
        CHECK(y[0] == Approx(std::cos(1.0)).margin(1e-6));
        CHECK(y[1] == Approx(std::sin(1.0)).margin(1e-6));
    }
    SECTION("a local layer uses its own base and scale (gemma3)") {
        c.n_layers = 2;
        c.sliding_window = 4;
        c.local_layers = {true, false};
        c.rope_theta = 1e6f;
        c.rope_theta_local = 100.0f;
        c.rope_freq_scale = 0.125f;
        c.rope_freq_scale_local = 1.0f;
        const cpu::RopeSpec local = cpu::ropeSpec(c, 0, Vector());
        const cpu::RopeSpec global = cpu::ropeSpec(c, 1, Vector());
        CHECK(local.freqs[1] == Approx(0.1));            // 100^(-2/4)
        CHECK(global.freqs[1] == Approx(0.125 * 1e-3));  // (1e6)^(-2/4) / 8
    }
    SECTION("a rotation by -d undoes one by d") {
        const cpu::RopeSpec spec = cpu::ropeSpec(c, 0, Vector());
        std::vector<float> y = rotated(c, {1, 2, 3, 4}, 5);
        cpu::rotateRow(y.data(), 4, cpu::ropeTable(spec, -5, 1), 0, spec);
        CHECK(y[0] == Approx(1).margin(1e-5));
        CHECK(y[1] == Approx(2).margin(1e-5));
        CHECK(y[3] == Approx(4).margin(1e-5));
    }
}

TEST_CASE("Moving a rotated key by delta positions gives the key rotated there", "[rope]") {
    // Gemma3-like local layer: halves, partial rope, its own base; two heads of 6.
    ModelConfig c = ropeConfig(RopeStyle::Halves, 6, 4);
    Vector factors(2);
    factors << 1.0f, 2.0f;
    const cpu::RopeSpec spec = cpu::ropeSpec(c, 0, factors);
    const std::vector<float> key = {1, -2, 3, 0.5f, 7, 8, -1, 2, 0.25f, 4, 9, 10};
    std::vector<float> rows = rotated(c, key, 9, factors);  // row 0: at 9, moved by -4
    const std::vector<float> at5 = rotated(c, key, 5, factors);
    const std::vector<float> row1 = rows;  // row 1: at 9, not moved
    rows.insert(rows.end(), row1.begin(), row1.end());
    const std::vector<std::int64_t> delta = {-4, 0};
    cpu::rotateRowsByDelta(rows.data(), 2, 12, spec, delta);
    for (std::size_t i = 0; i < 12; ++i) {
        CHECK(rows[i] == Approx(at5[i]).margin(1e-5));
        CHECK(rows[12 + i] == row1[i]);
    }
}

TEST_CASE("Soft-capping, the tanh GELU and per-head RMSNorm", "[arch-ops]") {
    SECTION("softcap 50 maps 100 to 50 tanh(2)") {
        Matrix x(1, 3);
        x << 100.0f, 0.0f, -100.0f;
        cpu::softcap(x, 50.0f);
        CHECK(x(0, 0) == Approx(48.20137900379085).epsilon(1e-6));
        CHECK(x(0, 1) == 0.0f);
        CHECK(x(0, 2) == Approx(-48.20137900379085).epsilon(1e-6));
    }
    SECTION("GELU(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))") {
        CHECK(cpu::geluTanh(1.0f) == Approx(0.8411919906082768).epsilon(1e-6));
        CHECK(cpu::geluTanh(-2.0f) == Approx(-0.04540230591222494).epsilon(1e-5));
        CHECK(cpu::geluTanh(0.0f) == 0.0f);
    }
    SECTION("GeGLU uses GELU as ggml does: x and the result rounded to fp16") {
        // 0.1234567 -> fp16 0.12347412109375; GELU of that 0.067810..., in fp16 (ulp 2^-14 in
        // [1/16, 1/8)) 0.06781005859375. GELU(1) = 0.84119... -> 1723 x 2^-11 = 0.84130859375.
        CHECK(cpu::geluTanhFp16(0.1234567f) == 0.06781005859375f);
        CHECK(cpu::geluTanhFp16(1.0f) == 0.84130859375f);
        CHECK(cpu::geluTanhFp16(-12.0f) == 0.0f);  // ggml: 0 at x <= -10, x at x >= 10
        CHECK(cpu::geluTanhFp16(12.5f) == 12.5f);
        Matrix gate(1, 2), up(1, 2);
        gate << 1.0f, 0.5f;
        up << 2.0f, -4.0f;
        cpu::geGlu(gate, up);
        CHECK(gate(0, 0) == 2 * 0.84130859375f);
        CHECK(gate(0, 1) == -4 * 0.345703125f);  // GELU(0.5) = 0.345714 -> 1416 x 2^-12
    }
    SECTION("each head normalised on its own, times the head's weight") {
        Matrix x(1, 4);  // two heads of 2: (3, 4) and (0, 2)
        x << 3.0f, 4.0f, 0.0f, 2.0f;
        Vector w(2);
        w << 1.0f, 2.0f;
        cpu::rmsNormHeads(x, w, 0.0f);
        // rms(3, 4) = sqrt(12.5); rms(0, 2) = sqrt(2).
        CHECK(x(0, 0) == Approx(3 / std::sqrt(12.5)));
        CHECK(x(0, 1) == Approx(2 * 4 / std::sqrt(12.5)));
        CHECK(x(0, 2) == 0.0f);
        CHECK(x(0, 3) == Approx(2 * 2 / std::sqrt(2.0)));
    }
    SECTION("a bias is added to every row") {
        Matrix x = Matrix::Zero(2, 2);
        Vector b(2);
        b << 1.5f, -2.0f;
        cpu::addBias(x, b);
        CHECK(x(1, 0) == 1.5f);
        CHECK(x(0, 1) == -2.0f);
    }
}

TEST_CASE("A sliding window of 2 over 4 slots: each query sees itself and one before",
          "[attention]") {
    // head_dim 1 and q = 0: every visible key scores the same, so each row is uniform over what
    // the mask lets through, and the output is the mean of the visible values.
    const std::vector<float> k = {1, 1, 1, 1}, v = {1, 2, 4, 8};  // [4 slots][1]
    const KvRun run{0, 4, k.data(), v.data()};
    const float q = 0.0f;
    const cpu::AttendSpec spec{1, 1.0f, 0.0f};
    const float want_probs[4][4] = {
        {1, 0, 0, 0}, {0.5f, 0.5f, 0, 0}, {0, 0.5f, 0.5f, 0}, {0, 0, 0.5f, 0.5f}};
    const float want_out[4] = {1, 1.5f, 3, 6};
    for (std::int64_t slot = 0; slot < 4; ++slot) {
        INFO("query slot " << slot);
        float probs[4] = {-1, -1, -1, -1}, out = 0;
        const std::int64_t first = cpu::firstVisibleSlot(slot, 2);
        CHECK(first == std::max<std::int64_t>(0, slot - 1));
        cpu::attendRow(&q, {&run, 1}, 0, 1, spec, first, slot + 1, probs, &out);
        for (int j = 0; j <= slot; ++j)
            CHECK(probs[j] == want_probs[slot][j]);
        CHECK(out == want_out[slot]);
    }
    CHECK(cpu::firstVisibleSlot(100, 0) == 0);  // a global layer sees everything
}

TEST_CASE("Attention soft-capping bounds the scores before the softmax", "[attention]") {
    // q = 1, keys 60 and 30, cap 30: scores 30 tanh(2) and 30 tanh(1).
    const std::vector<float> k = {60, 30}, v = {1, 0};
    const KvRun run{0, 2, k.data(), v.data()};
    const float q = 1.0f;
    float probs[2], out;
    cpu::attendRow(&q, {&run, 1}, 0, 1, cpu::AttendSpec{1, 1.0f, 30.0f}, 0, 2, probs, &out);
    CHECK(probs[0] == Approx(0.9977010535281591).epsilon(1e-6));
    CHECK(out == Approx(0.9977010535281591).epsilon(1e-6));
}

TEST_CASE("A fused tensor splits into row ranges that view the same blocks", "[weights]") {
    // Three Q8_0 rows of 32 values: row r holds d = r + 1 and quants 0..31 (value = d * q).
    constexpr std::int64_t kRowBytes = 34;
    auto bytes = std::make_shared<std::vector<std::byte>>(3 * kRowBytes);
    const std::uint16_t half_bits[3] = {0x3C00, 0x4000, 0x4200};  // fp16 1, 2, 3
    for (int r = 0; r < 3; ++r) {
        const std::uint16_t d = half_bits[r];
        std::memcpy(bytes->data() + r * kRowBytes, &d, 2);
        for (int i = 0; i < 32; ++i)
            (*bytes)[std::size_t(r * kRowBytes + 2 + i)] = std::byte(std::uint8_t(i));
    }
    const WeightMatrix fused = WeightMatrix::view(GgmlType::Q8_0, 3, 32, *bytes, bytes);
    const WeightMatrix tail = fused.rowRange(1, 2);
    CHECK(tail.isView());
    CHECK(tail.rows() == 2);
    CHECK(tail.rowData(0) == fused.rowData(1));  // the same bytes, not a copy
    const Matrix values = tail.toMatrix();
    CHECK(values(0, 5) == 2.0f * 5);    // row 1: d = 2
    CHECK(values(1, 31) == 3.0f * 31);  // row 2: d = 3
    // Owned fp32 values: the rows are copied.
    Matrix m(3, 2);
    m << 1, 2, 3, 4, 5, 6;
    const WeightMatrix middle = WeightMatrix(m).rowRange(1, 1);
    CHECK(middle.toMatrix() == (Matrix(1, 2) << 3, 4).finished());
}

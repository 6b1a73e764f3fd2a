#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "core/model/random_weights.h"
#include "core/util/check.h"

namespace kvscope {

namespace {

/// float -> fp16 bits, round to nearest even. Precondition: a normal fp16 magnitude.
std::uint16_t toFp16(float x) {
    const std::uint32_t b = std::bit_cast<std::uint32_t>(x);
    const std::int32_t exponent = std::int32_t((b >> 23) & 0xff) - 127 + 15;
    KVSCOPE_EXPECTS(exponent >= 1 && exponent <= 30);
    const std::uint32_t mantissa = b & 0x7fffff, rest = mantissa & 0x1fff;
    std::uint32_t h = ((b >> 16) & 0x8000) | (std::uint32_t(exponent) << 10) | (mantissa >> 13);
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) ++h;
    return std::uint16_t(h);
}

/// RMS of a block's values per unit of its fp16 scale d, with the second scale (Q4_K's dmin)
/// set to `min_ratio` * d: uniform random bytes in the quants and sub-block scales.
struct TypeScale {
    double rms_per_d;
    double min_ratio;
};

TypeScale typeScale(GgmlType type) {
    switch (type) {
        case GgmlType::Q8_0:
            return {74.0, 0.0};  // int8 uniform: RMS ~ 73.9
        case GgmlType::Q4_0:
            return {4.6, 0.0};  // nibble - 8 uniform in [-8, 7]
        case GgmlType::Q4_K:
            return {323.0, 7.5};  // sc * q - 7.5 * m, sc, m in 0..63, q 0..15
        default:
            KVSCOPE_EXPECTS(false && "randomQuantizedWeights: unsupported type");
    }
    return {1.0, 0.0};
}

/// rows x cols random blocks of `type` in `storage`, viewed.
WeightMatrix randomMatrix(GgmlType type, std::int64_t rows, std::int64_t cols, float scale,
                          SeededStream& rng, const std::shared_ptr<std::vector<std::byte>>& arena,
                          std::size_t& used) {
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    KVSCOPE_EXPECTS(cols % traits.block_size == 0);
    const std::int64_t n_blocks = rows * cols / traits.block_size;
    const std::size_t bytes = std::size_t(n_blocks * traits.type_size);
    KVSCOPE_EXPECTS(used + bytes <= arena->size());
    std::byte* data = arena->data() + used;
    for (std::size_t i = 0; i < bytes; i += 8) {
        const std::uint64_t v = rng.nextU64();
        std::memcpy(data + i, &v, std::min<std::size_t>(8, bytes - i));
    }
    const TypeScale ts = typeScale(type);
    const double d = double(scale) / (std::sqrt(double(cols)) * ts.rms_per_d);
    const std::uint16_t dh = toFp16(float(d));
    const std::uint16_t mh = ts.min_ratio > 0 ? toFp16(float(d * ts.min_ratio)) : 0;
    for (std::int64_t b = 0; b < n_blocks; ++b) {
        std::byte* block = data + b * traits.type_size;
        std::memcpy(block, &dh, 2);  // d leads every block of these three types
        if (ts.min_ratio > 0) std::memcpy(block + 2, &mh, 2);
    }
    used += bytes;
    return WeightMatrix::view(type, rows, cols, std::span<const std::byte>(data, bytes), arena);
}

}  // namespace

ModelWeights randomQuantizedWeights(const ModelConfig& c, GgmlType type, std::uint64_t seed,
                                    float scale) {
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    const auto bytesOf = [&](std::int64_t rows, std::int64_t cols) {
        return std::size_t(rows * cols / traits.block_size * traits.type_size);
    };
    std::size_t total = bytesOf(c.vocab, c.d_model) * (c.tied_output ? 1 : 2);
    total += std::size_t(c.n_layers) *
             (2 * bytesOf(c.qDim(), c.d_model) + 2 * bytesOf(c.kvDim(), c.d_model) +
              2 * bytesOf(c.d_ff, c.d_model) + bytesOf(c.d_model, c.d_ff));
    auto arena = std::make_shared<std::vector<std::byte>>(total);  // every matrix, one buffer
    std::size_t used = 0;
    SeededStream rng(seed);
    ModelWeights w;
    w.token_embd = randomMatrix(type, c.vocab, c.d_model, scale, rng, arena, used);
    w.layers.resize(std::size_t(c.n_layers));
    for (LayerWeights& l : w.layers) {
        l.attn_norm = Vector::Ones(c.d_model);
        l.wq = randomMatrix(type, c.qDim(), c.d_model, scale, rng, arena, used);
        l.wk = randomMatrix(type, c.kvDim(), c.d_model, scale, rng, arena, used);
        l.wv = randomMatrix(type, c.kvDim(), c.d_model, scale, rng, arena, used);
        l.wo = randomMatrix(type, c.d_model, c.qDim(), scale, rng, arena, used);
        l.ffn_norm = Vector::Ones(c.d_model);
        l.w_gate = randomMatrix(type, c.d_ff, c.d_model, scale, rng, arena, used);
        l.w_up = randomMatrix(type, c.d_ff, c.d_model, scale, rng, arena, used);
        l.w_down = randomMatrix(type, c.d_model, c.d_ff, scale, rng, arena, used);
    }
    w.output_norm = Vector::Ones(c.d_model);
    if (!c.tied_output) w.output = randomMatrix(type, c.vocab, c.d_model, scale, rng, arena, used);
    return w;
}

}  // namespace kvscope

#include "core/cache/ggml_q_codec.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/cache/kv_codec_affine.h"
#include "core/cache/kv_row_math.h"
#include "core/cache/round_half_away.h"
#include "core/model/dequantize.h"
#include "core/model/ggml_type.h"

namespace kvscope {

namespace {

constexpr std::size_t kBlock = 32;
using Block = std::array<float, kBlock>;

/// A block's values, zero-padded, with NaN -> 0 and +-inf -> +-(largest finite magnitude).
Block sanitizedBlock(std::span<const float> values) {
    const affine::Range range = affine::finiteRange(values);
    const float amax = std::max(std::fabs(range.min), std::fabs(range.max));
    Block block{};
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float v = values[i];
        block[i] = std::isnan(v) ? 0.0f : std::clamp(v, -amax, amax);
    }
    return block;
}

float clampToFp16(float d) {
    return std::clamp(d, -affine::kFp16Max, affine::kFp16Max);
}

/// ggml quantize_row_q4_0_ref for one block of n <= 32 values (sanitized, zero-padded first).
void encodeQ4_0Block(const float* values, std::size_t n, std::byte* out) {
    const Block x = sanitizedBlock(std::span(values, n));
    float amax = 0.0f, max = 0.0f;
    for (float v : x) {
        if (amax < std::fabs(v)) {
            amax = std::fabs(v);
            max = v;
        }
    }
    const float d = clampToFp16(max / -8.0f);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    affine::storeFp16(out, d);
    const auto code = [&](float v) { return int(std::clamp(v * id + 8.5f, 0.0f, 15.0f)); };
    for (std::size_t j = 0; j < kBlock / 2; ++j)
        out[2 + j] = std::byte(std::uint8_t(code(x[j]) | (code(x[j + kBlock / 2]) << 4)));
}

/// q8_0: the shared row math (core/cache/kv_row_math.h, sanitizing as sanitizedBlock does).
void encodeQ8_0Block(const float* values, std::size_t n, std::byte* out) {
    hd::RowQ8_0::encodeBlock(values, int(n), reinterpret_cast<std::uint8_t*>(out));
}

template <KvDtype kDtype, GgmlType kType, std::size_t kBytes,
          void (*kEncodeBlock)(const float*, std::size_t, std::byte*)>
class GgmlQCodec final : public KvCodec {
public:
    KvDtype dtype() const override { return kDtype; }

    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        for (std::size_t b = 0; b * kBlock < src.size(); ++b) {
            const std::size_t n = std::min(kBlock, src.size() - b * kBlock);
            kEncodeBlock(src.data() + b * kBlock, n, dst.data() + b * kBytes);
        }
    }

    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        const std::size_t n_whole = dst.size() / kBlock;
        dequantize(kType, src.first(n_whole * kBytes), dst.first(n_whole * kBlock));
        const std::size_t rest = dst.size() - n_whole * kBlock;
        if (rest == 0) return;
        Block last{};
        dequantize(kType, src.subspan(n_whole * kBytes, kBytes), last);
        std::copy_n(last.begin(), rest, dst.begin() + std::ptrdiff_t(n_whole * kBlock));
    }
};

}  // namespace

std::unique_ptr<KvCodec> makeQ8_0Codec() {
    return std::make_unique<GgmlQCodec<KvDtype::Q8_0, GgmlType::Q8_0, 34, encodeQ8_0Block>>();
}

std::unique_ptr<KvCodec> makeQ4_0Codec() {
    return std::make_unique<GgmlQCodec<KvDtype::Q4_0, GgmlType::Q4_0, 18, encodeQ4_0Block>>();
}

}  // namespace kvscope

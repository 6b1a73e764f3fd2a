#include "core/cache/int8_codec.h"

#include <algorithm>
#include <cmath>

#include "core/cache/kv_codec_affine.h"
#include "core/cache/round_half_away.h"

namespace kvscope {

namespace {

constexpr int kMaxCode = 127;

/// round(x / scale), ties away from zero, clamped to [-127, 127]; NaN -> 0, scale 0 -> 0.
int quantizeSymmetric(float x, float scale) {
    if (scale == 0.0f || std::isnan(x)) return 0;
    const float q = affine::roundHalfAway(x / scale);
    return int(std::clamp(q, -float(kMaxCode), float(kMaxCode)));
}

class Int8Codec final : public KvCodec {
public:
    KvDtype dtype() const override { return KvDtype::INT8; }

    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        if (src.empty()) return;
        const affine::Range range = affine::finiteRange(src);
        const float amax = std::max(std::fabs(range.min), std::fabs(range.max));
        const float scale = affine::roundFp16Up(amax / float(kMaxCode));
        affine::storeFp16(dst.data(), scale);
        for (std::size_t i = 0; i < src.size(); ++i) {
            const int q = quantizeSymmetric(src[i], scale);
            dst[2 + i] = std::byte(std::uint8_t(std::int8_t(q)));
        }
    }

    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        if (dst.empty()) return;
        const float scale = affine::loadFp16(src.data());
        for (std::size_t i = 0; i < dst.size(); ++i)
            dst[i] = float(std::to_integer<std::int8_t>(src[2 + i])) * scale;
    }
};

}  // namespace

std::unique_ptr<KvCodec> makeInt8Codec() {
    return std::make_unique<Int8Codec>();
}

}  // namespace kvscope

#include "core/cache/int4_codec.h"

#include <algorithm>

#include "core/cache/kv_codec_affine.h"

namespace kvscope {

namespace {

constexpr std::size_t kGroup = 32, kGroupBytes = 20, kHalf = kGroup / 2;
constexpr int kMaxCode = 15;

void encodeGroup(std::span<const float> values, std::byte* out) {
    const affine::AffineParams p = affine::chooseAffine(values, kMaxCode);
    affine::storeFp16(out, p.scale);
    affine::storeFp16(out + 2, p.zero);
    int codes[kGroup] = {};
    for (std::size_t i = 0; i < values.size(); ++i)
        codes[i] = affine::quantizeAffine(values[i], p.zero, p.scale, kMaxCode);
    for (std::size_t j = 0; j < kHalf; ++j)
        out[4 + j] = std::byte(std::uint8_t(codes[j] | (codes[j + kHalf] << 4)));
}

void decodeGroup(const std::byte* in, std::span<float> values) {
    const float scale = affine::loadFp16(in);
    const float zero = affine::loadFp16(in + 2);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto packed = std::to_integer<int>(in[4 + i % kHalf]);
        const int code = i < kHalf ? (packed & 0x0f) : (packed >> 4);
        values[i] = float(code) * scale + zero;
    }
}

class Int4Codec final : public KvCodec {
public:
    KvDtype dtype() const override { return KvDtype::INT4; }

    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        for (std::size_t g = 0; g * kGroup < src.size(); ++g) {
            const std::size_t n = std::min(kGroup, src.size() - g * kGroup);
            encodeGroup(src.subspan(g * kGroup, n), dst.data() + g * kGroupBytes);
        }
    }

    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        for (std::size_t g = 0; g * kGroup < dst.size(); ++g) {
            const std::size_t n = std::min(kGroup, dst.size() - g * kGroup);
            decodeGroup(src.data() + g * kGroupBytes, dst.subspan(g * kGroup, n));
        }
    }
};

}  // namespace

std::unique_ptr<KvCodec> makeInt4Codec() {
    return std::make_unique<Int4Codec>();
}

}  // namespace kvscope

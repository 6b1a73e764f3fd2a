#include "core/cache/fp16_bf16_codec.h"

#include <array>
#include <bit>
#include <cstring>

#include "core/model/dequantize.h"
#include "core/util/half_math.h"

namespace kvscope {

std::uint16_t fp32ToFp16(float value) {
    return hd::fp32ToFp16(value);
}

std::uint16_t fp32ToBf16(float value) {
    return hd::fp32ToBf16(value);
}

namespace {

void storeU16(std::byte* p, std::uint16_t v) {
    std::memcpy(p, &v, sizeof v);
}

std::uint16_t loadU16(const std::byte* p) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

class Fp32Codec final : public KvCodec {
public:
    KvDtype dtype() const override { return KvDtype::F32; }
    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        if (!src.empty()) std::memcpy(dst.data(), src.data(), dst.size());
    }
    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        if (!dst.empty()) std::memcpy(dst.data(), src.data(), src.size());
    }
};

/// fp16 code -> fp32 for all 65536 codes (256 KiB), built once: decoding is a load.
const std::array<float, 65536>& fp16Table() {
    static const auto table = [] {
        std::array<float, 65536> t{};
        for (std::uint32_t code = 0; code < t.size(); ++code)
            t[code] = fp16ToFp32(std::uint16_t(code));
        return t;
    }();
    return table;
}

/// fp16 and bf16: 2 bytes per value. Encoding rounds with the scalar conversions; decoding is a
/// table load (fp16) or a shift (bf16: the top half of an fp32).
template <KvDtype kDtype, std::uint16_t (*kEncode)(float)>
class HalfCodec final : public KvCodec {
public:
    KvDtype dtype() const override { return kDtype; }
    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        for (std::size_t i = 0; i < src.size(); ++i)
            storeU16(dst.data() + 2 * i, kEncode(src[i]));
    }
    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        if constexpr (kDtype == KvDtype::F16) {
            const std::array<float, 65536>& table = fp16Table();
            for (std::size_t i = 0; i < dst.size(); ++i)
                dst[i] = table[loadU16(src.data() + 2 * i)];
        } else {
            for (std::size_t i = 0; i < dst.size(); ++i)
                dst[i] = std::bit_cast<float>(std::uint32_t(loadU16(src.data() + 2 * i)) << 16);
        }
    }
};

}  // namespace

std::unique_ptr<KvCodec> makeFp32Codec() {
    return std::make_unique<Fp32Codec>();
}

std::unique_ptr<KvCodec> makeFp16Codec() {
    return std::make_unique<HalfCodec<KvDtype::F16, fp32ToFp16>>();
}

std::unique_ptr<KvCodec> makeBf16Codec() {
    return std::make_unique<HalfCodec<KvDtype::BF16, fp32ToBf16>>();
}

}  // namespace kvscope

#include "core/cache/kivi_codec.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/cache/fp16_bf16_codec.h"
#include "core/cache/kv_codec_affine.h"

namespace kvscope {

namespace {

constexpr std::size_t kGroup = 32, kGroupBytes = 12, kCodesPerByte = 4;
constexpr int kMaxCode = 3;

/// One group of up to 32 values read with a stride (1 along channels, row length along tokens).
struct StridedGroup {
    const float* first;
    std::size_t n, stride;
};

void encodeGroup(StridedGroup group, std::byte* out) {
    float values[kGroup];
    for (std::size_t i = 0; i < group.n; ++i)
        values[i] = group.first[i * group.stride];
    const std::span<const float> span(values, group.n);
    const affine::AffineParams p = affine::chooseAffine(span, kMaxCode);
    affine::storeFp16(out, p.scale);
    affine::storeFp16(out + 2, p.zero);
    std::uint8_t codes[kGroup / kCodesPerByte] = {};
    for (std::size_t i = 0; i < group.n; ++i) {
        const int q = affine::quantizeAffine(values[i], p.zero, p.scale, kMaxCode);
        codes[i / kCodesPerByte] |= std::uint8_t(q << (2 * (i % kCodesPerByte)));
    }
    for (std::size_t j = 0; j < kGroup / kCodesPerByte; ++j)
        out[4 + j] = std::byte(codes[j]);
}

void decodeGroup(const std::byte* in, float* first, std::size_t n, std::size_t stride) {
    const float scale = affine::loadFp16(in);
    const float zero = affine::loadFp16(in + 2);
    for (std::size_t i = 0; i < n; ++i) {
        const auto packed = std::to_integer<int>(in[4 + i / kCodesPerByte]);
        const int code = (packed >> (2 * (i % kCodesPerByte))) & 0x3;
        first[i * stride] = float(code) * scale + zero;
    }
}

/// One row in groups of 32 channels, 2 bits each: the kivi2 value row and the int2 row.
void encodeRow(std::span<const float> src, std::span<std::byte> dst) {
    for (std::size_t g = 0; g * kGroup < src.size(); ++g) {
        const std::size_t n = std::min(kGroup, src.size() - g * kGroup);
        encodeGroup({src.data() + g * kGroup, n, 1}, dst.data() + g * kGroupBytes);
    }
}

void decodeRow(std::span<const std::byte> src, std::span<float> dst) {
    for (std::size_t g = 0; g * kGroup < dst.size(); ++g) {
        const std::size_t n = std::min(kGroup, dst.size() - g * kGroup);
        decodeGroup(src.data() + g * kGroupBytes, dst.data() + g * kGroup, n, 1);
    }
}

class KiviCodec final : public KvCodec {
public:
    explicit KiviCodec(std::int64_t window) : m_window(window), m_fp16(makeFp16Codec()) {
        if (window < 0) throw std::invalid_argument("kivi2: window must be >= 0");
    }

    KvDtype dtype() const override { return KvDtype::KIVI2; }

    /// A value row: groups of 32 channels.
    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        encodeRow(src, dst);
    }

    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        decodeRow(src, dst);
    }

    std::int64_t encodedBytesForTokens(KvRole role, std::int64_t row_values,
                                       std::int64_t n_tokens) const override {
        return kvBytesForTokens(KvDtype::KIVI2, role, row_values, n_tokens, m_window);
    }

    void encodeTokens(KvRole role, std::int64_t row_values, std::span<const float> src,
                      std::span<std::byte> dst) const override {
        const Split s = split(role, row_values, src.size(), dst.size());
        const auto row = std::size_t(row_values);
        if (role == KvRole::Value) {
            const std::size_t row_bytes = s.quantized_bytes / std::max<std::size_t>(s.n_old, 1);
            for (std::size_t t = 0; t < s.n_old; ++t)
                encode(src.subspan(t * row, row), dst.subspan(t * row_bytes, row_bytes));
        } else {
            for (std::size_t g = 0; g * kGroup < s.n_old; ++g) {  // whole groups only
                for (std::size_t c = 0; c < row; ++c) {
                    encodeGroup({src.data() + g * kGroup * row + c, kGroup, row},
                                dst.data() + (g * row + c) * kGroupBytes);
                }
            }
        }
        const std::size_t n_recent_values = (s.n_tokens - s.n_old) * row;
        m_fp16->encode(src.subspan(s.n_old * row, n_recent_values), dst.subspan(s.quantized_bytes));
    }

    void decodeTokens(KvRole role, std::int64_t row_values, std::span<const std::byte> src,
                      std::span<float> dst) const override {
        const Split s = split(role, row_values, dst.size(), src.size());
        const auto row = std::size_t(row_values);
        if (role == KvRole::Value) {
            const std::size_t row_bytes = s.quantized_bytes / std::max<std::size_t>(s.n_old, 1);
            for (std::size_t t = 0; t < s.n_old; ++t)
                decode(src.subspan(t * row_bytes, row_bytes), dst.subspan(t * row, row));
        } else {
            for (std::size_t g = 0; g * kGroup < s.n_old; ++g) {
                for (std::size_t c = 0; c < row; ++c) {
                    decodeGroup(src.data() + (g * row + c) * kGroupBytes,
                                dst.data() + g * kGroup * row + c, kGroup, row);
                }
            }
        }
        m_fp16->decode(src.subspan(s.quantized_bytes), dst.subspan(s.n_old * row));
    }

private:
    /// How a block of tokens divides into its quantized (old) and fp16 (recent) parts.
    struct Split {
        std::size_t n_tokens, n_old, quantized_bytes;
    };

    Split split(KvRole role, std::int64_t row_values, std::size_t n_floats,
                std::size_t n_bytes) const {
        if (row_values <= 0 || n_floats % std::size_t(row_values) != 0) {
            throw std::invalid_argument("kivi2: " + std::to_string(n_floats) +
                                        " values are not rows of " + std::to_string(row_values));
        }
        const auto n_tokens = std::int64_t(n_floats) / row_values;
        const std::int64_t expected = encodedBytesForTokens(role, row_values, n_tokens);
        if (std::int64_t(n_bytes) != expected) {
            throw std::invalid_argument("kivi2: expected " + std::to_string(expected) +
                                        " bytes, got " + std::to_string(n_bytes));
        }
        const std::int64_t n_recent = kvResidualTokens(
            KvRoleFormat{.dtype = KvDtype::KIVI2, .kivi_window = m_window}, role, n_tokens);
        const std::int64_t recent_bytes = kvRowBytes(KvDtype::F16, row_values) * n_recent;
        return {std::size_t(n_tokens), std::size_t(n_tokens - n_recent),
                std::size_t(expected - recent_bytes)};
    }

    std::int64_t m_window;
    std::unique_ptr<KvCodec> m_fp16;  // the recent window
};

/// int2: the kivi2 value row (groups of 32 channels) for keys and values alike, no window.
class Int2Codec final : public KvCodec {
public:
    KvDtype dtype() const override { return KvDtype::INT2; }

    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        encodeRow(src, dst);
    }

    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        decodeRow(src, dst);
    }
};

}  // namespace

std::unique_ptr<KvCodec> makeInt2Codec() {
    return std::make_unique<Int2Codec>();
}

std::unique_ptr<KvCodec> makeKiviCodec(std::int64_t window) {
    return std::make_unique<KiviCodec>(window);
}

}  // namespace kvscope

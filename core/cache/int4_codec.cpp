#include "core/cache/int4_codec.h"

#include "core/cache/kv_row_math.h"

namespace kvscope {

namespace {

class Int4Codec final : public KvCodec {
public:
    KvDtype dtype() const override { return KvDtype::INT4; }

    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        hd::RowInt4::encodeRow(src.data(), int(src.size()),
                               reinterpret_cast<std::uint8_t*>(dst.data()));
    }

    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        const auto* row = reinterpret_cast<const std::uint8_t*>(src.data());
        for (std::size_t i = 0; i < dst.size(); ++i)
            dst[i] = hd::RowInt4::decode(row, int(i));
    }
};

}  // namespace

std::unique_ptr<KvCodec> makeInt4Codec() {
    return std::make_unique<Int4Codec>();
}

}  // namespace kvscope

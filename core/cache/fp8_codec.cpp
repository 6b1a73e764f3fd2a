#include "core/cache/fp8_codec.h"

#include <array>

#include "core/cache/kv_row_math.h"

namespace kvscope {

namespace {

using DecodeTable = std::array<float, 256>;

/// code -> fp32 for all 256 codes, from the shared row math (core/cache/kv_row_math.h).
template <typename Row>
DecodeTable makeTable() {
    DecodeTable table{};
    for (int code = 0; code < 256; ++code)
        table[std::size_t(code)] = Row::decodeValue(std::uint8_t(code));
    return table;
}

const DecodeTable& e4m3Table() {
    static const DecodeTable table = makeTable<hd::RowFp8E4m3>();
    return table;
}

const DecodeTable& e5m2Table() {
    static const DecodeTable table = makeTable<hd::RowFp8E5m2>();
    return table;
}

template <KvDtype kDtype, std::uint8_t (*kEncode)(float), const DecodeTable& (*kTable)()>
class Fp8Codec final : public KvCodec {
public:
    KvDtype dtype() const override { return kDtype; }
    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        for (std::size_t i = 0; i < src.size(); ++i)
            dst[i] = std::byte(kEncode(src[i]));
    }
    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        const DecodeTable& table = kTable();
        for (std::size_t i = 0; i < dst.size(); ++i)
            dst[i] = table[std::to_integer<std::uint8_t>(src[i])];
    }
};

}  // namespace

std::uint8_t fp32ToFp8E4m3(float value) {
    return hd::RowFp8E4m3::encodeValue(value);
}

float fp8E4m3ToFp32(std::uint8_t code) {
    return e4m3Table()[code];
}

std::uint8_t fp32ToFp8E5m2(float value) {
    return hd::RowFp8E5m2::encodeValue(value);
}

float fp8E5m2ToFp32(std::uint8_t code) {
    return e5m2Table()[code];
}

std::unique_ptr<KvCodec> makeFp8E4m3Codec() {
    return std::make_unique<Fp8Codec<KvDtype::FP8_E4M3, fp32ToFp8E4m3, e4m3Table>>();
}

std::unique_ptr<KvCodec> makeFp8E5m2Codec() {
    return std::make_unique<Fp8Codec<KvDtype::FP8_E5M2, fp32ToFp8E5m2, e5m2Table>>();
}

}  // namespace kvscope

#include "core/cache/kv_codec.h"

#include <stdexcept>
#include <string>

#include "core/cache/fp16_bf16_codec.h"
#include "core/cache/fp8_codec.h"
#include "core/cache/ggml_q_codec.h"
#include "core/cache/int4_codec.h"
#include "core/cache/int8_codec.h"
#include "core/cache/kivi_codec.h"

namespace kvscope {

namespace {

/// n_tokens of a [n_tokens][row_values] block, checking the shape.
std::int64_t tokensOf(std::int64_t row_values, std::size_t n_floats, const char* what) {
    if (row_values <= 0 || n_floats % std::size_t(row_values) != 0) {
        throw std::invalid_argument(std::string(what) + ": " + std::to_string(n_floats) +
                                    " values are not rows of " + std::to_string(row_values));
    }
    return std::int64_t(n_floats) / row_values;
}

void requireBytes(std::int64_t expected, std::size_t actual, const char* what) {
    if (std::int64_t(actual) != expected) {
        throw std::invalid_argument(std::string(what) + ": expected " + std::to_string(expected) +
                                    " bytes, got " + std::to_string(actual));
    }
}

}  // namespace

std::int64_t KvCodec::encodedBytes(std::int64_t n_values) const {
    return kvRowBytes(dtype(), n_values);
}

std::int64_t KvCodec::encodedBytesForTokens(KvRole role, std::int64_t row_values,
                                            std::int64_t n_tokens) const {
    return kvBytesForTokens(dtype(), role, row_values, n_tokens);
}

void KvCodec::requireRowBytes(std::size_t n_values, std::size_t n_bytes) const {
    requireBytes(encodedBytes(std::int64_t(n_values)), n_bytes, "KvCodec row");
}

void KvCodec::encodeTokens(KvRole role, std::int64_t row_values, std::span<const float> src,
                           std::span<std::byte> dst) const {
    const std::int64_t n_tokens = tokensOf(row_values, src.size(), "KvCodec::encodeTokens");
    requireBytes(encodedBytesForTokens(role, row_values, n_tokens), dst.size(),
                 "KvCodec::encodeTokens");
    const auto row_bytes = std::size_t(encodedBytes(row_values));
    const auto n = std::size_t(row_values);
    for (std::size_t t = 0; t < std::size_t(n_tokens); ++t)
        encode(src.subspan(t * n, n), dst.subspan(t * row_bytes, row_bytes));
}

void KvCodec::decodeTokens(KvRole role, std::int64_t row_values, std::span<const std::byte> src,
                           std::span<float> dst) const {
    const std::int64_t n_tokens = tokensOf(row_values, dst.size(), "KvCodec::decodeTokens");
    requireBytes(encodedBytesForTokens(role, row_values, n_tokens), src.size(),
                 "KvCodec::decodeTokens");
    const auto row_bytes = std::size_t(encodedBytes(row_values));
    const auto n = std::size_t(row_values);
    for (std::size_t t = 0; t < std::size_t(n_tokens); ++t)
        decode(src.subspan(t * row_bytes, row_bytes), dst.subspan(t * n, n));
}

std::vector<std::byte> KvCodec::encoded(std::span<const float> src) const {
    std::vector<std::byte> out(static_cast<std::size_t>(encodedBytes(std::int64_t(src.size()))));
    encode(src, std::span<std::byte>(out));
    return out;
}

std::vector<float> KvCodec::decoded(std::span<const std::byte> src, std::int64_t n_values) const {
    std::vector<float> out(static_cast<std::size_t>(n_values));
    decode(src, std::span<float>(out));
    return out;
}

std::unique_ptr<KvCodec> makeKvCodec(KvDtype dtype, std::int64_t kivi_window) {
    switch (dtype) {
        case KvDtype::F32:
            return makeFp32Codec();
        case KvDtype::F16:
            return makeFp16Codec();
        case KvDtype::BF16:
            return makeBf16Codec();
        case KvDtype::FP8_E4M3:
            return makeFp8E4m3Codec();
        case KvDtype::FP8_E5M2:
            return makeFp8E5m2Codec();
        case KvDtype::INT8:
            return makeInt8Codec();
        case KvDtype::INT4:
            return makeInt4Codec();
        case KvDtype::Q8_0:
            return makeQ8_0Codec();
        case KvDtype::Q4_0:
            return makeQ4_0Codec();
        case KvDtype::KIVI2:
            return makeKiviCodec(kivi_window);
        case KvDtype::INT2:
            return makeInt2Codec();
    }
    throw std::logic_error("makeKvCodec: unknown dtype");
}

}  // namespace kvscope

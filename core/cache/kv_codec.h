#pragma once
// KvCodec: how one row of K or V (one token, one KV head: n values) is stored as bytes, and how a
// block of tokens is. The byte counts are exactly those of core/memory/kv_dtype.h (scales and zero
// points included, partial groups rounded up), so the memory estimator and the cache agree.
//
// Every codec works row by row except kivi2, whose keys are grouped per channel along tokens: use
// encodeTokens()/decodeTokens() for a block of tokens, which every codec supports.
//
// Non-finite inputs never cause UB or a crash. Float formats keep them as their format defines
// (fp8 e4m3fn: NaN -> NaN, +-inf and finite overflow saturate to +-448). Integer formats (int8,
// int4, q8_0, q4_0, kivi2) store NaN as 0 and clamp +-inf to the row's (group's) finite range.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/cache/kv_dtype.h"

namespace kvscope {

class KvCodec {
public:
    virtual ~KvCodec() = default;

    virtual KvDtype dtype() const = 0;
    /// The CLI spelling: "fp16", "q4_0", "kivi2".
    std::string_view name() const { return toString(dtype()); }

    /// Bytes of one encoded row of `n_values` values == kvRowBytes(dtype(), n_values).
    std::int64_t encodedBytes(std::int64_t n_values) const;
    /// Encodes one row. Pre (std::invalid_argument): dst.size() == encodedBytes(src.size()).
    virtual void encode(std::span<const float> src, std::span<std::byte> dst) const = 0;
    /// Decodes one row. Pre (std::invalid_argument): src.size() == encodedBytes(dst.size()).
    virtual void decode(std::span<const std::byte> src, std::span<float> dst) const = 0;

    /// Bytes of `n_tokens` rows of `row_values` values in `role` == kvBytesForTokens(...).
    virtual std::int64_t encodedBytesForTokens(KvRole role, std::int64_t row_values,
                                               std::int64_t n_tokens) const;
    /// Encodes a block of tokens: src is [n_tokens][row_values], with n_tokens = src.size() /
    /// row_values. Row by row for every codec but kivi2. Pre (std::invalid_argument): row_values >
    /// 0, src.size() % row_values == 0, dst.size() == encodedBytesForTokens(...).
    virtual void encodeTokens(KvRole role, std::int64_t row_values, std::span<const float> src,
                              std::span<std::byte> dst) const;
    /// Inverse of encodeTokens(): dst is [n_tokens][row_values].
    virtual void decodeTokens(KvRole role, std::int64_t row_values, std::span<const std::byte> src,
                              std::span<float> dst) const;

    /// Convenience: a vector of exactly encodedBytes(src.size()) bytes.
    std::vector<std::byte> encoded(std::span<const float> src) const;
    /// Convenience: decodes `n_values` values from src.
    std::vector<float> decoded(std::span<const std::byte> src, std::int64_t n_values) const;

protected:
    /// Throws std::invalid_argument unless n_bytes == encodedBytes(n_values).
    void requireRowBytes(std::size_t n_values, std::size_t n_bytes) const;
};

/// The codec of `dtype`. `kivi_window` is kivi2's full-precision recent window R (tokens).
std::unique_ptr<KvCodec> makeKvCodec(KvDtype dtype, std::int64_t kivi_window = kKiviDefaultWindow);

}  // namespace kvscope

#pragma once
// The storage formats of the KV cache and their exact byte counts: the single source of truth
// for the sizes the cache codecs implement and the memory estimator counts.
//
// A "row" is the K (or V) vector of one token in one KV head: head_dim values. Grouped formats
// quantize a row in groups of kKvGroupSize = 32 consecutive values; a partial last group is
// stored as a whole group (its unused slots are padding), so bytes = ceil(n / 32) * group bytes.
//
//   fp32        4 B per value
//   fp16, bf16  2 B per value
//   fp8         1 B per value (e4m3 or e5m2: same size; no scale, as llama.cpp and vLLM store it)
//   int8        symmetric, 1 B per value + one fp16 scale (2 B) per row (per token per KV head)
//   int4        asymmetric group-wise: 16 B of nibbles + fp16 scale + fp16 zero point = 20 B / 32
//   q8_0        llama.cpp block: fp16 scale + 32 int8 = 34 B / 32 values
//   q4_0        llama.cpp block: fp16 scale + 16 B of nibbles = 18 B / 32 values
//   kivi2       KIVI 2-bit: groups of 32 values, 8 B of 2-bit codes + fp16 scale + fp16 zero =
//               12 B / 32 values. Keys are grouped per channel along 32 tokens, values per token
//               along 32 channels. The most recent min(tokens, R) tokens stay in fp16 (the
//               full-precision window R); a key token older than the window stays in fp16 too
//               until its group of 32 tokens fills (KIVI's residual), so keys hold between
//               min(tokens, R) and min(tokens, R + 31) fp16 tokens.
//   int2        plain 2-bit asymmetric per token (the kivi2 value format for keys and values
//               alike, no window): 12 B / 32 values; KIVI's baseline.
//
// Mixed precision (KvRoleFormat::recent_window W > 0, any format but kivi2): the most recent
// min(tokens, W) tokens are stored in recent_dtype, older ones in the format. Both kivi2's fp16
// window and W are a "residual" of high-precision tokens in front of the "low" older tokens.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace kvscope {

enum class KvDtype { F32, F16, BF16, FP8_E4M3, FP8_E5M2, INT8, INT4, Q8_0, Q4_0, KIVI2, INT2 };

/// Whether a row holds keys or values (KIVI groups them differently).
enum class KvRole { Key, Value };

inline constexpr std::int64_t kKvGroupSize = 32;
/// KIVI's default full-precision recent window (the paper's R = 128).
inline constexpr std::int64_t kKiviDefaultWindow = 128;

struct KvDtypeInfo {
    KvDtype dtype;
    std::string_view name;      // the CLI spelling: "fp16", "q8_0"
    std::string_view layout;    // one line: what a row stores
    std::int64_t group_values;  // values per group; 0 = not grouped (per value or per row)
    std::int64_t group_bytes;   // bytes per group including its scale/zero point
};

/// Every format, in enum order.
std::span<const KvDtypeInfo> kvDtypes();
const KvDtypeInfo& kvDtypeInfo(KvDtype dtype);
std::string_view toString(KvDtype dtype);
/// Parses a CLI name ("fp16", "fp8" = fp8_e4m3, "fp8_e5m2", "int8", "q4_0", "kivi2", ...). Throws
/// InputError listing the names.
KvDtype parseKvDtype(std::string_view name);

/// Bytes of one row of `n_values` values (one token, one KV head) including every scale and
/// zero point, partial groups rounded up. For kivi2 this is the quantized (outside-window) size
/// of a value row. Pre: n_values >= 0. Checked for overflow.
std::int64_t kvRowBytes(KvDtype dtype, std::int64_t n_values);

/// Bytes that `n_tokens` tokens of one KV head hold in `role` with rows of `row_values` values:
/// n_tokens * kvRowBytes() for every format but kivi2, whose recent window `kivi_window` stays
/// fp16 and whose key groups run along tokens. Checked for overflow.
std::int64_t kvBytesForTokens(KvDtype dtype, KvRole role, std::int64_t row_values,
                              std::int64_t n_tokens, std::int64_t kivi_window = kKiviDefaultWindow);

/// How one role (K or V) of a cache is stored: tokens older than the residual in `dtype`, the
/// residual (the most recent tokens) in higher precision. kivi2 uses its own fp16 window
/// kivi_window and ignores recent_window; any other format keeps its last recent_window tokens in
/// recent_dtype (0 = no residual, every token in `dtype`).
struct KvRoleFormat {
    KvDtype dtype = KvDtype::F32;
    std::int64_t recent_window = 0;
    KvDtype recent_dtype = KvDtype::F16;
    std::int64_t kivi_window = kKiviDefaultWindow;
};

/// The dtype of the residual: fp16 for kivi2, else recent_dtype.
KvDtype kvResidualDtype(const KvRoleFormat& format);
/// Tokens of the low part that are encoded together: 32 for kivi2 keys (a group along tokens),
/// else 1. The low part always holds a whole number of units.
std::int64_t kvLowUnitTokens(const KvRoleFormat& format, KvRole role);
/// Whether every token of `role` is encoded on its own, where it will stay: no group along tokens
/// (kivi2 keys) and no residual ring (a mixed window, kivi2's fp16 window). Such rows can be kept,
/// moved or dropped one by one without re-encoding their neighbours (the contiguous layout's
/// compaction moves their bytes; the paged layout's holes keep every format's rows in place).
bool kvRowLocal(const KvRoleFormat& format, KvRole role);
/// Bytes of one low unit of one KV head with rows of `row_values` values.
std::int64_t kvLowUnitBytes(const KvRoleFormat& format, KvRole role, std::int64_t row_values);
/// Of `n_tokens` tokens, how many sit in the residual (the most recent ones).
std::int64_t kvResidualTokens(const KvRoleFormat& format, KvRole role, std::int64_t n_tokens);
/// The most tokens the residual ever holds: W, R, or R + 31 for kivi2 keys (0 = none).
std::int64_t kvResidualSlots(const KvRoleFormat& format, KvRole role);
/// Bytes `n_tokens` tokens of one KV head hold: residual rows + low units. Checked.
std::int64_t kvBytesForTokens(const KvRoleFormat& format, KvRole role, std::int64_t row_values,
                              std::int64_t n_tokens);
/// Bytes one KV head reserves to hold any length up to `capacity` (the contiguous layout): a
/// residual ring of min(capacity, slots) rows + the low units of `capacity` tokens.
std::int64_t kvReservedBytes(const KvRoleFormat& format, KvRole role, std::int64_t row_values,
                             std::int64_t capacity);
/// Throws InputError naming `what` when the format cannot be used (negative windows, a residual
/// dtype that is not a per-token format).
void checkKvRoleFormat(const KvRoleFormat& format, const char* what);

/// How kvRowBytes(dtype, n) is computed, with the numbers: "128 x 2 B", "ceil(128/32) = 4 groups x
/// 34 B", "128 x 1 B + 2 B fp16 scale".
std::string kvRowFormula(KvDtype dtype, std::int64_t n_values);
}  // namespace kvscope

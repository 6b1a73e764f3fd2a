#pragma once
// KvCacheSpec: the precision a live KV cache stores K and V in (the "cache spec" of a scenario):
// a codec for keys, one for values, and optionally a mixed-precision recent window. The layout
// (contiguous or paged) is chosen apart (SessionOptions::cache_layout).
//
//   {F32, F32}                      the reference: every byte fp32, read in place (zero-copy)
//   {INT8, INT8}                    every token int8 (scale per token per KV head)
//   {Q8_0, Q4_0}                    keys and values in different codecs
//   {INT4, INT4, W = 32, F16}       the last 32 tokens fp16, older ones int4 (re-encoded as
//                                   they age out of the window)
//   {KIVI2, KIVI2, kivi_window = R} KIVI: the last R tokens fp16, older keys per channel in
//                                   groups of 32 tokens, older values per token
#include <cstdint>
#include <string>

#include "core/cache/kv_dtype.h"

namespace kvscope {

struct KvCacheSpec {
    KvDtype k_dtype = KvDtype::F32;
    KvDtype v_dtype = KvDtype::F32;
    /// Mixed precision: the last recent_window tokens stay in recent_dtype (not for kivi2, which
    /// has kivi_window). 0 = off.
    std::int64_t recent_window = 0;
    KvDtype recent_dtype = KvDtype::F16;
    /// kivi2's fp16 recent window R (tokens).
    std::int64_t kivi_window = kKiviDefaultWindow;

    KvRoleFormat keyFormat() const { return format(k_dtype); }
    KvRoleFormat valueFormat() const { return format(v_dtype); }
    KvRoleFormat roleFormat(KvRole role) const {
        return role == KvRole::Key ? keyFormat() : valueFormat();
    }
    /// fp32 keys and values, no window: the cache reads its rows in place.
    bool isPlainFp32() const {
        return k_dtype == KvDtype::F32 && v_dtype == KvDtype::F32 && recent_window == 0;
    }
    /// K and V both row-local (kvRowLocal): every codec but kivi2, without a mixed window.
    bool isRowLocal() const {
        return kvRowLocal(keyFormat(), KvRole::Key) && kvRowLocal(valueFormat(), KvRole::Value);
    }
    /// "int8", "q8_0/q4_0", "int4+w32:fp16", "kivi2+r128": the spelling parseKvCacheSpec() reads.
    std::string label() const;

    bool operator==(const KvCacheSpec&) const = default;

private:
    KvRoleFormat format(KvDtype dtype) const {
        return {.dtype = dtype,
                .recent_window = dtype == KvDtype::KIVI2 ? 0 : recent_window,
                .recent_dtype = recent_dtype,
                .kivi_window = kivi_window};
    }
};

/// Throws InputError naming `what` for windows < 0, a kivi2 recent dtype, or a mixed window on a
/// spec whose K and V are both kivi2 (kivi2 has its own window).
void checkKvCacheSpec(const KvCacheSpec& spec, const char* what);

/// Parses `K[/V][+wN[:HIGH]]` or `kivi2[+rN]`: "int8" (K and V), "q8_0/q4_0" (K / V), "int4+w32"
/// (last 32 tokens fp16), "int4+w32:bf16", "kivi2+r32" (KIVI window 32). Dtype names as
/// parseKvDtype(). Throws InputError naming `flag` and the text.
KvCacheSpec parseKvCacheSpec(std::string_view text, std::string_view flag);

}  // namespace kvscope

#include "core/cache/kv_dtype.h"

#include <algorithm>
#include <string>

#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

constexpr KvDtypeInfo kInfos[] = {
    {KvDtype::F32, "fp32", "4 B per value", 0, 0},
    {KvDtype::F16, "fp16", "2 B per value", 0, 0},
    {KvDtype::BF16, "bf16", "2 B per value", 0, 0},
    {KvDtype::FP8_E4M3, "fp8_e4m3", "1 B per value, no scale", 0, 0},
    {KvDtype::FP8_E5M2, "fp8_e5m2", "1 B per value, no scale", 0, 0},
    {KvDtype::INT8, "int8", "1 B per value + fp16 scale (2 B) per token per KV head", 0, 0},
    {KvDtype::INT4, "int4", "groups of 32: 16 B codes + fp16 scale + fp16 zero = 20 B", 32, 20},
    {KvDtype::Q8_0, "q8_0", "llama.cpp blocks of 32: fp16 scale + 32 x int8 = 34 B", 32, 34},
    {KvDtype::Q4_0, "q4_0", "llama.cpp blocks of 32: fp16 scale + 16 B codes = 18 B", 32, 18},
    {KvDtype::KIVI2, "kivi2",
     "KIVI 2-bit, groups of 32: 8 B codes + fp16 scale + fp16 zero = 12 B; recent window fp16", 32,
     12},
    {KvDtype::INT2, "int2",
     "2-bit per token, groups of 32: 8 B codes + fp16 scale + fp16 zero = 12 B; no window", 32, 12},
};

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return a / b + (a % b != 0 ? 1 : 0);
}

void requireNonNegative(std::int64_t n, const char* what) {
    if (n < 0) throw InputError(std::string(what) + " must be >= 0, got " + std::to_string(n));
}

}  // namespace

std::span<const KvDtypeInfo> kvDtypes() {
    return kInfos;
}

const KvDtypeInfo& kvDtypeInfo(KvDtype dtype) {
    return kInfos[static_cast<int>(dtype)];
}

std::string_view toString(KvDtype dtype) {
    return kvDtypeInfo(dtype).name;
}

KvDtype parseKvDtype(std::string_view name) {
    if (name == "fp8") return KvDtype::FP8_E4M3;
    if (name == "f16") return KvDtype::F16;
    if (name == "f32") return KvDtype::F32;
    for (const KvDtypeInfo& info : kInfos) {
        if (info.name == name) return info.dtype;
    }
    std::string names;
    for (const KvDtypeInfo& info : kInfos)
        names += std::string(names.empty() ? "" : ", ") += info.name;
    throw InputError("unknown KV dtype '" + std::string(name) + "' (expected one of: " + names +
                     ", fp8)");
}

std::int64_t kvRowBytes(KvDtype dtype, std::int64_t n_values) {
    requireNonNegative(n_values, "values per KV row");
    const char* what = "KV row bytes";
    switch (dtype) {
        case KvDtype::F32:
            return checkedMul(n_values, 4, what);
        case KvDtype::F16:
        case KvDtype::BF16:
            return checkedMul(n_values, 2, what);
        case KvDtype::FP8_E4M3:
        case KvDtype::FP8_E5M2:
            return n_values;
        case KvDtype::INT8:
            return n_values == 0 ? 0 : checkedAdd(n_values, 2, what);
        case KvDtype::INT4:
        case KvDtype::Q8_0:
        case KvDtype::Q4_0:
        case KvDtype::KIVI2:
        case KvDtype::INT2: {
            const KvDtypeInfo& info = kvDtypeInfo(dtype);
            return checkedMul(ceilDiv(n_values, info.group_values), info.group_bytes, what);
        }
    }
    throw std::logic_error("kvRowBytes: unknown dtype");
}

std::int64_t kvBytesForTokens(KvDtype dtype, KvRole role, std::int64_t row_values,
                              std::int64_t n_tokens, std::int64_t kivi_window) {
    return kvBytesForTokens(KvRoleFormat{.dtype = dtype, .kivi_window = kivi_window}, role,
                            row_values, n_tokens);
}

KvDtype kvResidualDtype(const KvRoleFormat& format) {
    return format.dtype == KvDtype::KIVI2 ? KvDtype::F16 : format.recent_dtype;
}

std::int64_t kvLowUnitTokens(const KvRoleFormat& format, KvRole role) {
    return format.dtype == KvDtype::KIVI2 && role == KvRole::Key ? kKvGroupSize : 1;
}

bool kvRowLocal(const KvRoleFormat& format, KvRole role) {
    return kvLowUnitTokens(format, role) == 1 && kvResidualSlots(format, role) == 0;
}

std::int64_t kvLowUnitBytes(const KvRoleFormat& format, KvRole role, std::int64_t row_values) {
    if (format.dtype == KvDtype::KIVI2 && role == KvRole::Key) {
        // One group of 32 tokens per channel.
        requireNonNegative(row_values, "values per KV row");
        return checkedMul(row_values, kvDtypeInfo(KvDtype::KIVI2).group_bytes, "KV unit bytes");
    }
    return kvRowBytes(format.dtype, row_values);
}

std::int64_t kvResidualTokens(const KvRoleFormat& format, KvRole role, std::int64_t n_tokens) {
    requireNonNegative(n_tokens, "KV tokens");
    if (format.dtype != KvDtype::KIVI2) return std::min(n_tokens, format.recent_window);
    const std::int64_t recent = std::min(n_tokens, format.kivi_window);
    if (role == KvRole::Value) return recent;
    // Keys: older tokens wait in fp16 until their group of 32 tokens fills.
    return recent + (n_tokens - recent) % kKvGroupSize;
}

std::int64_t kvResidualSlots(const KvRoleFormat& format, KvRole role) {
    if (format.dtype != KvDtype::KIVI2) return format.recent_window;
    return format.kivi_window + (role == KvRole::Key ? kKvGroupSize - 1 : 0);
}

std::int64_t kvBytesForTokens(const KvRoleFormat& format, KvRole role, std::int64_t row_values,
                              std::int64_t n_tokens) {
    requireNonNegative(n_tokens, "KV tokens");
    checkKvRoleFormat(format, "KV bytes for tokens");
    const char* what = "KV bytes for tokens";
    const std::int64_t residual = kvResidualTokens(format, role, n_tokens);
    const std::int64_t units = (n_tokens - residual) / kvLowUnitTokens(format, role);
    return checkedAdd(checkedMul(kvRowBytes(kvResidualDtype(format), row_values), residual, what),
                      checkedMul(kvLowUnitBytes(format, role, row_values), units, what), what);
}

std::int64_t kvReservedBytes(const KvRoleFormat& format, KvRole role, std::int64_t row_values,
                             std::int64_t capacity) {
    requireNonNegative(capacity, "KV capacity");
    checkKvRoleFormat(format, "KV reserved bytes");
    const char* what = "KV reserved bytes";
    const std::int64_t slots = std::min(capacity, kvResidualSlots(format, role));
    // The low part only grows with the length: its largest size is at the capacity.
    const std::int64_t units =
        (capacity - kvResidualTokens(format, role, capacity)) / kvLowUnitTokens(format, role);
    return checkedAdd(checkedMul(kvRowBytes(kvResidualDtype(format), row_values), slots, what),
                      checkedMul(kvLowUnitBytes(format, role, row_values), units, what), what);
}

void checkKvRoleFormat(const KvRoleFormat& format, const char* what) {
    if (format.recent_window < 0 || format.kivi_window < 0) {
        throw InputError(std::string(what) + ": recent window and KIVI window must be >= 0, got " +
                         std::to_string(format.recent_window) + " and " +
                         std::to_string(format.kivi_window));
    }
    if (format.recent_dtype == KvDtype::KIVI2) {
        throw InputError(std::string(what) +
                         ": kivi2 cannot be the recent-window dtype (it groups keys along tokens)");
    }
}

std::string kvRowFormula(KvDtype dtype, std::int64_t n_values) {
    const std::string n = std::to_string(n_values);
    const KvDtypeInfo& info = kvDtypeInfo(dtype);
    switch (dtype) {
        case KvDtype::F32:
            return n + " x 4 B";
        case KvDtype::F16:
        case KvDtype::BF16:
            return n + " x 2 B";
        case KvDtype::FP8_E4M3:
        case KvDtype::FP8_E5M2:
            return n + " x 1 B";
        case KvDtype::INT8:
            return n + " x 1 B + 2 B fp16 scale";
        default: {
            const std::int64_t groups = (n_values + 31) / 32;
            return "ceil(" + n + "/32) = " + std::to_string(groups) +
                   (groups == 1 ? " group x " : " groups x ") + std::to_string(info.group_bytes) +
                   " B";
        }
    }
}

}  // namespace kvscope

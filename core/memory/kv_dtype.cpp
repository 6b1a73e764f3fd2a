#include "core/memory/kv_dtype.h"

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
        case KvDtype::KIVI2: {
            const KvDtypeInfo& info = kvDtypeInfo(dtype);
            return checkedMul(ceilDiv(n_values, info.group_values), info.group_bytes, what);
        }
    }
    throw std::logic_error("kvRowBytes: unknown dtype");
}

std::int64_t kvBytesForTokens(KvDtype dtype, KvRole role, std::int64_t row_values,
                              std::int64_t n_tokens, std::int64_t kivi_window) {
    requireNonNegative(n_tokens, "KV tokens");
    requireNonNegative(kivi_window, "KIVI recent window");
    const char* what = "KV bytes for tokens";
    if (dtype != KvDtype::KIVI2) return checkedMul(kvRowBytes(dtype, row_values), n_tokens, what);
    const std::int64_t recent = std::min(n_tokens, kivi_window);
    const std::int64_t quantized = n_tokens - recent;
    const std::int64_t fp16_bytes = checkedMul(kvRowBytes(KvDtype::F16, row_values), recent, what);
    std::int64_t quantized_bytes = 0;
    if (role == KvRole::Value) {
        quantized_bytes = checkedMul(kvRowBytes(KvDtype::KIVI2, row_values), quantized, what);
    } else {
        // Per channel: groups of 32 tokens, the last partial token group rounded up.
        const std::int64_t token_groups = ceilDiv(quantized, kKvGroupSize);
        quantized_bytes = checkedMul(checkedMul(token_groups, row_values, what), 12, what);
    }
    return checkedAdd(fp16_bytes, quantized_bytes, what);
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
        default:
            return "ceil(" + n + "/32) = " + std::to_string((n_values + 31) / 32) + " groups x " +
                   std::to_string(info.group_bytes) + " B";
    }
}

}  // namespace kvscope

#pragma once
// ggml tensor types as GGUF stores them: the numeric id, the name, and how values are packed
// (block size in elements, bytes per block). Known types can be listed and sized; only some can
// be dequantized (core/model/dequantize.h).
#include <cstdint>
#include <optional>
#include <string>

namespace kvscope {

/// ggml's type ids (ggml.h `enum ggml_type`). Gaps are ids ggml has retired.
enum class GgmlType : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
};

/// How a type packs values: `block_size` elements take `type_size` bytes.
struct GgmlTypeTraits {
    const char* name;
    std::int64_t block_size;
    std::int64_t type_size;
};

/// The traits of `id`, or nullopt when `id` is not a ggml type this build knows.
std::optional<GgmlTypeTraits> ggmlTypeTraits(std::uint32_t id);
/// Traits of a known type. Precondition: `type` is one of the enumerators above.
GgmlTypeTraits ggmlTypeTraits(GgmlType type);
/// "Q8_0", or "type 99" for an unknown id.
std::string ggmlTypeName(std::uint32_t id);
inline std::string ggmlTypeName(GgmlType type) {
    return ggmlTypeName(std::uint32_t(type));
}

}  // namespace kvscope

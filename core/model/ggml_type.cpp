#include "core/model/ggml_type.h"

#include <stdexcept>

namespace kvscope {

namespace {

struct Entry {
    GgmlType type;
    GgmlTypeTraits traits;
};

// Block layouts from ggml-common.h; "d" is an fp16 scale unless said otherwise.
constexpr Entry kTypes[] = {
    {GgmlType::F32, {"F32", 1, 4}},
    {GgmlType::F16, {"F16", 1, 2}},
    {GgmlType::Q4_0, {"Q4_0", 32, 18}},    // d + 16 B nibbles
    {GgmlType::Q4_1, {"Q4_1", 32, 20}},    // d, m + 16 B nibbles
    {GgmlType::Q5_0, {"Q5_0", 32, 22}},    // d + 4 B high bits + 16 B nibbles
    {GgmlType::Q5_1, {"Q5_1", 32, 24}},    // d, m + 4 B high bits + 16 B nibbles
    {GgmlType::Q8_0, {"Q8_0", 32, 34}},    // d + 32 int8
    {GgmlType::Q8_1, {"Q8_1", 32, 36}},    // d, s + 32 int8
    {GgmlType::Q2_K, {"Q2_K", 256, 84}},   // 16 scales + 64 qs + d, dmin
    {GgmlType::Q3_K, {"Q3_K", 256, 110}},  // 32 hmask + 64 qs + 12 scales + d
    {GgmlType::Q4_K, {"Q4_K", 256, 144}},  // d, dmin + 12 scales + 128 qs
    {GgmlType::Q5_K, {"Q5_K", 256, 176}},  // d, dmin + 12 scales + 32 qh + 128 qs
    {GgmlType::Q6_K, {"Q6_K", 256, 210}},  // 128 ql + 64 qh + 16 scales + d
    {GgmlType::Q8_K, {"Q8_K", 256, 292}},  // f32 d + 256 qs + 16 int16 bsums
    {GgmlType::IQ2_XXS, {"IQ2_XXS", 256, 66}},
    {GgmlType::IQ2_XS, {"IQ2_XS", 256, 74}},
    {GgmlType::IQ3_XXS, {"IQ3_XXS", 256, 98}},
    {GgmlType::IQ1_S, {"IQ1_S", 256, 50}},
    {GgmlType::IQ4_NL, {"IQ4_NL", 32, 18}},
    {GgmlType::IQ3_S, {"IQ3_S", 256, 110}},
    {GgmlType::IQ2_S, {"IQ2_S", 256, 82}},
    {GgmlType::IQ4_XS, {"IQ4_XS", 256, 136}},
    {GgmlType::I8, {"I8", 1, 1}},
    {GgmlType::I16, {"I16", 1, 2}},
    {GgmlType::I32, {"I32", 1, 4}},
    {GgmlType::I64, {"I64", 1, 8}},
    {GgmlType::F64, {"F64", 1, 8}},
    {GgmlType::IQ1_M, {"IQ1_M", 256, 56}},
    {GgmlType::BF16, {"BF16", 1, 2}},
    {GgmlType::TQ1_0, {"TQ1_0", 256, 54}},
    {GgmlType::TQ2_0, {"TQ2_0", 256, 66}},
    {GgmlType::MXFP4, {"MXFP4", 32, 17}},  // e8m0 scale + 16 B of fp4 pairs
};

}  // namespace

std::optional<GgmlTypeTraits> ggmlTypeTraits(std::uint32_t id) {
    for (const Entry& entry : kTypes) {
        if (std::uint32_t(entry.type) == id) return entry.traits;
    }
    return std::nullopt;
}

GgmlTypeTraits ggmlTypeTraits(GgmlType type) {
    const std::optional<GgmlTypeTraits> traits = ggmlTypeTraits(std::uint32_t(type));
    if (!traits) throw std::invalid_argument("ggmlTypeTraits: not a known GgmlType");
    return *traits;
}

std::string ggmlTypeName(std::uint32_t id) {
    const std::optional<GgmlTypeTraits> traits = ggmlTypeTraits(id);
    return traits ? std::string(traits->name) : "type " + std::to_string(id);
}

}  // namespace kvscope

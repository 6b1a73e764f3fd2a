#include "core/cache/kv_codec_affine.h"

#include "core/cache/kv_row_math.h"

namespace kvscope::affine {

void storeFp16(std::byte* p, float value) {
    hd::storeFp16(reinterpret_cast<std::uint8_t*>(p), value);
}

float loadFp16(const std::byte* p) {
    return hd::loadFp16(reinterpret_cast<const std::uint8_t*>(p));
}

float roundFp16Up(float value) {
    return hd::roundFp16Up(value);
}

float roundFp16Down(float value) {
    return hd::roundFp16Down(value);
}

Range finiteRange(std::span<const float> values) {
    const hd::FiniteRange r = hd::finiteRange(values.data(), int(values.size()));
    return {r.min, r.max};
}

int quantizeAffine(float x, float zero, float scale, int max_code) {
    return hd::quantizeAffine(x, zero, scale, max_code);
}

AffineParams chooseAffine(std::span<const float> values, int max_code) {
    const hd::Affine p = hd::chooseAffine(values.data(), int(values.size()), max_code);
    return {p.scale, p.zero};
}

}  // namespace kvscope::affine

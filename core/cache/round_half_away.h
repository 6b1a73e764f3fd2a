#pragma once
// std::round (ties away from zero) for the integer codecs' hot loops, without the library call.
#include <cmath>

namespace kvscope::affine {

/// std::round(q) bit for bit: q - trunc(q) is exact for every float, so the tie test is too;
/// inf and NaN come back as they are. Branch-free, so random data costs no mispredictions.
inline float roundHalfAway(float q) {
    const float t = std::trunc(q);
    return t + std::copysign(float(std::fabs(q - t) >= 0.5f), q);
}

}  // namespace kvscope::affine

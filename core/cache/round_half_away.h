#pragma once
// std::round (ties away from zero) for the integer codecs' hot loops, without the library call.
#include "core/cache/kv_row_math.h"

namespace kvscope::affine {

/// std::round(q) bit for bit (the shared row math, core/cache/kv_row_math.h).
inline float roundHalfAway(float q) {
    return hd::roundHalfAway(q);
}

}  // namespace kvscope::affine

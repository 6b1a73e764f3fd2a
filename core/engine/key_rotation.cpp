#include "core/engine/key_rotation.h"

#include "core/util/check.h"

namespace kvscope {

DeltaRotation deltaRotation(const cpu::RopeSpec& spec, std::int64_t delta) {
    // A rotation only: the cached key already carries the attention factor once.
    cpu::RopeSpec rotation = spec;
    rotation.mscale = 1.0f;
    return DeltaRotation{.delta = delta, .table = cpu::ropeTable(rotation, delta, 1)};
}

void rotateKeyBlock(float* rows, std::int64_t n_rows, std::int64_t row_stride, std::int64_t width,
                    const cpu::RopeSpec& spec, const DeltaRotation& rot) {
    KVSCOPE_EXPECTS(rot.built() && width <= row_stride);
    for (std::int64_t r = 0; r < n_rows; ++r)
        cpu::rotateRow(rows + r * row_stride, width, rot.table, 0, spec);
}

}  // namespace kvscope

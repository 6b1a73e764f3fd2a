#pragma once
// KvDtype -> the row math of core/cache/kv_row_math.h, for kernels templated on the codec: the
// only place that lists the codecs the kernels are instantiated for.
#include <stdexcept>
#include <string>

#include "core/cache/kv_dtype.h"
#include "core/cache/kv_row_math.h"

namespace kvscope::cuda {

/// Calls f(Row{}) with the row math of `dtype`; throws std::invalid_argument for a format the
/// kernels do not implement (cudaSupportsKvDtype() says which).
template <typename F>
void withKvRow(KvDtype dtype, F&& f) {
    switch (dtype) {
        case KvDtype::F32:
            return f(hd::RowF32{});
        case KvDtype::F16:
            return f(hd::RowF16{});
        case KvDtype::BF16:
            return f(hd::RowBf16{});
        case KvDtype::FP8_E4M3:
            return f(hd::RowFp8E4m3{});
        case KvDtype::FP8_E5M2:
            return f(hd::RowFp8E5m2{});
        case KvDtype::INT8:
            return f(hd::RowInt8{});
        case KvDtype::INT4:
            return f(hd::RowInt4{});
        case KvDtype::Q8_0:
            return f(hd::RowQ8_0{});
        default:
            throw std::invalid_argument("CUDA kernels: KV format " + std::string(toString(dtype)) +
                                        " is not implemented");
    }
}

}  // namespace kvscope::cuda

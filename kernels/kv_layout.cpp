#include "kernels/kv_layout.h"

#include "core/util/checked_math.h"

namespace kvscope::cuda {

KvLayout makeKvLayout(KvDtype dtype, std::int64_t n_layers, std::int64_t n_kv_heads,
                      std::int64_t head_dim, std::int64_t block_size) {
    KvLayout l;
    l.dtype = dtype;
    l.n_layers = n_layers;
    l.n_kv_heads = n_kv_heads;
    l.head_dim = head_dim;
    l.block_size = block_size;
    l.row_bytes = kvRowBytes(dtype, head_dim);
    l.area_bytes =
        checkedMul(checkedMul(block_size, n_kv_heads, "KV block"), l.row_bytes, "KV block bytes");
    return l;
}

bool cudaSupportsKvDtype(KvDtype dtype) {
    switch (dtype) {
        case KvDtype::F32:
        case KvDtype::F16:
        case KvDtype::BF16:
        case KvDtype::FP8_E4M3:
        case KvDtype::FP8_E5M2:
        case KvDtype::INT8:
        case KvDtype::INT4:
        case KvDtype::Q8_0:
            return true;
        default:
            return false;
    }
}

}  // namespace kvscope::cuda

#pragma once
// Where a row of K or V lives in the bytes of a KV block pool: the layout of the CPU's
// PagedKvCache (core/cache/paged_kv_cache.h) without a residual window, which the device copy
// of the cache mirrors byte for byte:
//   pool   [n_blocks][n_layers][K area | V area]
//   area   [block_size tokens][n_kv_heads][row_bytes]     row_bytes = kvRowBytes(dtype, head_dim)
// Plain C++ with KVSCOPE_HD: the kernels and the host code share it.
#include <cstdint>

#include "core/cache/kv_dtype.h"
#include "core/util/host_device.h"

namespace kvscope::cuda {

struct KvLayout {
    KvDtype dtype = KvDtype::F32;
    std::int64_t n_layers = 0, n_kv_heads = 0, head_dim = 0, block_size = 0;
    std::int64_t row_bytes = 0;   // one token of one KV head
    std::int64_t area_bytes = 0;  // one role of one layer of one block

    /// Byte offset of `role` (0 = K, 1 = V) of token row `row` (within the block) of KV head
    /// `head` in block `block`, layer `layer`.
    KVSCOPE_HD std::int64_t offset(std::int64_t block, std::int64_t layer, int role,
                                   std::int64_t row, std::int64_t head) const {
        return ((block * n_layers + layer) * 2 + role) * area_bytes +
               (row * n_kv_heads + head) * row_bytes;
    }
    KVSCOPE_HD std::int64_t blockBytes() const { return 2 * n_layers * area_bytes; }
};

/// The layout of a pool of `dtype` rows (kvRowBytes(dtype, head_dim)).
KvLayout makeKvLayout(KvDtype dtype, std::int64_t n_layers, std::int64_t n_kv_heads,
                      std::int64_t head_dim, std::int64_t block_size);

/// Whether the kernels can read and write `dtype` (fp32, fp16, bf16, fp8 e4m3/e5m2, int8, int4,
/// q8_0): the per-row formats of core/cache/kv_row_math.h.
bool cudaSupportsKvDtype(KvDtype dtype);

}  // namespace kvscope::cuda

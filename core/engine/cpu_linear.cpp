#include <algorithm>
#include <vector>

#include "core/engine/cpu_math.h"
#include "core/engine/int_dot.h"
#include "core/engine/q8_activations.h"
#include "core/util/check.h"

// linear(), the matrix products of the CPU backend (declared in cpu_math.h).

namespace kvscope::cpu {

namespace {

constexpr std::int64_t kBlock = 16;  // rows of W per task: 16 x d_model floats stay in L1/L2

/// Float activations: W decoded a block of rows at a time (F32 read in place).
void linearFloat(const Matrix& x, const WeightMatrix& w, Matrix& y, int n_threads) {
    const std::int64_t n = x.rows(), in = x.cols(), out = w.rows();
    const std::int64_t n_blocks = (out + kBlock - 1) / kBlock;
    const bool f32 = w.type() == GgmlType::F32;
    const int threads = threadsFor(n * in * out, n_threads);
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        std::vector<float> scratch(f32 ? 0 : std::size_t(kBlock * in));  // [kBlock][in]
#pragma omp for schedule(static)
        for (std::int64_t b = 0; b < n_blocks; ++b) {
            const std::int64_t first = b * kBlock, last = std::min(out, first + kBlock);
            const float* rows = f32 ? w.f32Row(first) : scratch.data();  // [last - first][in]
            if (!f32) w.decodeRows(first, last - first, scratch.data());
            for (std::int64_t i = 0; i < n; ++i)  // y[i][first..last) = dot(x[i], W[o])
                dots(x.data() + i * in, rows, in, last - first, in, y.data() + i * out + first);
        }
    }
}

/// The rows of x quantized to `type` (Q8_0, Q8_1 or Q8_K): [n][in / block] blocks.
template <typename Block>
std::vector<Block> quantizeRows(const Matrix& x, GgmlType type) {
    const std::int64_t per_row = x.cols() / (type == GgmlType::Q8_K ? 256 : 32);
    std::vector<Block> out(std::size_t(x.rows() * per_row));
    for (std::int64_t i = 0; i < x.rows(); ++i) {
        const std::span<const float> row(x.data() + i * x.cols(), std::size_t(x.cols()));
        const std::span<Block> dst(out.data() + i * per_row, std::size_t(per_row));
        if constexpr (std::is_same_v<Block, Q8BlockK>)
            quantizeRowQ8K(row, dst);
        else if (type == GgmlType::Q8_1)
            quantizeRowQ8_1(row, dst);
        else
            quantizeRowQ8_0(row, dst);
    }
    return out;
}

/// 8-bit activations, integer dot products over W's blocks.
template <typename Block>
void linearInt(const Matrix& x, const WeightMatrix& w, Matrix& y, int n_threads) {
    const std::int64_t n = x.rows(), in = x.cols(), out = w.rows();
    const std::vector<Block> a = quantizeRows<Block>(x, activationType(w.type()));  // [n][in/bs]
    const std::int64_t per_row = std::int64_t(a.size()) / std::max<std::int64_t>(n, 1);
    const std::int64_t n_blocks = (out + kBlock - 1) / kBlock;
    const int threads = threadsFor(n * in * out, n_threads);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (std::int64_t b = 0; b < n_blocks; ++b) {
        const std::int64_t first = b * kBlock, rows = std::min(out, first + kBlock) - first;
        for (std::int64_t i = 0; i < n; ++i)
            intDotRows(w.type(), w.rowData(first), w.rowBytes(), rows, a.data() + i * per_row, in,
                       y.data() + i * out + first);
    }
}

}  // namespace

const char* activationsName(Activations a) {
    return a == Activations::LlamaCpp ? "8-bit (llama.cpp)" : "float";
}

void linear(const Matrix& x, const WeightMatrix& w, Matrix& y, const MatmulOptions& options) {
    KVSCOPE_EXPECTS(w.cols() == x.cols());
    y.resize(x.rows(), w.rows());
    const GgmlType type = w.type();
    if (options.activations == Activations::LlamaCpp && hasIntDot(type) &&
        x.cols() % ggmlTypeTraits(type).block_size == 0) {
        if (activationType(type) == GgmlType::Q8_K)
            return linearInt<Q8BlockK>(x, w, y, options.n_threads);
        return linearInt<Q8Block32>(x, w, y, options.n_threads);
    }
    linearFloat(x, w, y, options.n_threads);
}

}  // namespace kvscope::cpu

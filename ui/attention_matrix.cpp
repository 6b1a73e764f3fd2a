#include "ui/attention_matrix.h"

namespace kvscope {

Matrix assembleAttention(std::span<const StepRecord> records, std::int64_t layer,
                         std::int64_t head) {
    const std::int64_t n_pos = records.empty() ? 0 : records.back().positionsAfter();
    Matrix full = Matrix::Zero(n_pos, n_pos);  // [query pos][key pos]
    for (const StepRecord& record : records) {
        if (layer < 0 || layer >= std::int64_t(record.layers.size())) continue;
        const std::vector<Matrix>& heads = record.layers[std::size_t(layer)].attention;
        if (head < 0 || head >= std::int64_t(heads.size())) continue;
        const Matrix& rows = heads[std::size_t(head)];  // [n_query][first_query + n_query]
        const std::int64_t first_query = rows.cols() - rows.rows();
        if (first_query < 0 || rows.cols() > n_pos) continue;  // not a causal block: skip it
        full.block(first_query, 0, rows.rows(), rows.cols()) = rows;
    }
    return full;
}

}  // namespace kvscope

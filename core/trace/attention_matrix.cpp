#include "core/trace/attention_matrix.h"

namespace kvscope {

std::int64_t AttentionMatrix::firstMissingRow() const {
    for (std::size_t q = 0; q < recorded.size(); ++q)
        if (!recorded[q]) return std::int64_t(q);
    return -1;
}

AttentionMatrix assembleAttention(std::span<const StepRecord> records, std::int64_t layer,
                                  std::int64_t head, std::int64_t n_positions) {
    if (n_positions < 0) n_positions = records.empty() ? 0 : records.back().positionsAfter();
    AttentionMatrix out;
    out.weights = Matrix::Zero(n_positions, n_positions);  // [query pos][key pos]
    out.recorded.assign(std::size_t(n_positions), false);
    for (const StepRecord& record : records) {
        if (layer < 0 || layer >= std::int64_t(record.layers.size())) continue;
        const std::vector<Matrix>& heads = record.layers[std::size_t(layer)].attention;
        if (head < 0 || head >= std::int64_t(heads.size())) continue;
        const Matrix& rows = heads[std::size_t(head)];  // [n_query][first_query + n_query]
        const std::int64_t first_query = rows.cols() - rows.rows();
        if (first_query < 0) continue;  // not a causal block
        for (std::int64_t i = 0; i < rows.rows(); ++i) {
            const std::int64_t q = first_query + i;
            if (q >= n_positions) break;  // rows past the requested positions
            out.weights.row(q).head(q + 1) = rows.row(i).head(q + 1);  // causal: k <= q
            out.recorded[std::size_t(q)] = true;
        }
    }
    return out;
}

}  // namespace kvscope

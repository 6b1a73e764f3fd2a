#include "app/cli/attention_matrix.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace kvscope::cli {

Matrix assembleAttention(std::span<const StepRecord> records, std::int64_t layer, std::int64_t head,
                         std::int64_t n_positions) {
    Matrix matrix = Matrix::Zero(n_positions, n_positions);  // [query][key]
    std::vector<bool> filled(std::size_t(n_positions), false);
    for (const StepRecord& record : records) {
        if (layer >= std::int64_t(record.layers.size()) ||
            head >= std::int64_t(record.layers[std::size_t(layer)].attention.size())) {
            throw std::logic_error("attention: the session did not record layer " +
                                   std::to_string(layer) + " head " + std::to_string(head));
        }
        // [n_query][first_query + n_query]: row i is query position first_query + i.
        const Matrix& rows = record.layers[std::size_t(layer)].attention[std::size_t(head)];
        const std::int64_t first_query = rows.cols() - rows.rows();
        for (std::int64_t i = 0; i < rows.rows(); ++i) {
            const std::int64_t q = first_query + i;
            if (q < 0 || q >= n_positions) continue;  // a row past the requested positions
            matrix.row(q).head(q + 1) = rows.row(i).head(q + 1);  // causal: k <= q
            filled[std::size_t(q)] = true;
        }
    }
    for (std::int64_t q = 0; q < n_positions; ++q) {
        if (!filled[std::size_t(q)]) {
            throw std::logic_error("attention: no attention row was recorded for position " +
                                   std::to_string(q));
        }
    }
    return matrix;
}

}  // namespace kvscope::cli

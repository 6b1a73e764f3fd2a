#include "core/model/weight_matrix.h"

#include <cstring>
#include <utility>

#include "core/model/dequantize.h"
#include "core/util/check.h"

namespace kvscope {

WeightMatrix::WeightMatrix(Matrix values) : m_values(std::move(values)) {}

WeightMatrix WeightMatrix::view(GgmlType type, std::int64_t rows, std::int64_t cols,
                                std::span<const std::byte> bytes,
                                std::shared_ptr<const void> owner) {
    KVSCOPE_EXPECTS(canDequantize(type) && rows >= 0 && cols >= 0 && owner != nullptr);
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    KVSCOPE_EXPECTS(cols % traits.block_size == 0);
    WeightMatrix w;
    w.m_type = type;
    w.m_rows = rows;
    w.m_cols = cols;
    w.m_row_bytes = cols / traits.block_size * traits.type_size;
    KVSCOPE_EXPECTS(std::int64_t(bytes.size()) == w.m_row_bytes * rows);
    w.m_view = bytes.data();
    w.m_owner = std::move(owner);
    return w;
}

const std::byte* WeightMatrix::data() const {
    return m_owner ? m_view : reinterpret_cast<const std::byte*>(m_values.data());
}

const std::byte* WeightMatrix::rowData(std::int64_t r) const {
    KVSCOPE_EXPECTS(r >= 0 && r < rows());
    return data() + r * rowBytes();
}

const float* WeightMatrix::f32Row(std::int64_t r) const {
    if (m_type != GgmlType::F32) return nullptr;
    return reinterpret_cast<const float*>(rowData(r));
}

void WeightMatrix::decodeRows(std::int64_t first, std::int64_t n, float* out) const {
    KVSCOPE_EXPECTS(first >= 0 && n >= 0 && first + n <= rows());
    if (n == 0) return;
    dequantize(m_type, std::span(data() + first * rowBytes(), std::size_t(n * rowBytes())),
               std::span(out, std::size_t(n * cols())));
}

WeightMatrix WeightMatrix::rowRange(std::int64_t first, std::int64_t n) const {
    KVSCOPE_EXPECTS(first >= 0 && n >= 0 && first + n <= rows());
    if (!m_owner) return Matrix(m_values.middleRows(first, n));
    const std::byte* start = m_view + first * m_row_bytes;
    return view(m_type, n, m_cols, std::span(start, std::size_t(n * m_row_bytes)), m_owner);
}

Matrix WeightMatrix::toMatrix() const {
    if (!m_owner) return m_values;
    Matrix m(m_rows, m_cols);  // [rows][cols]
    decodeRows(0, m_rows, m.data());
    return m;
}

bool operator==(const WeightMatrix& a, const WeightMatrix& b) {
    if (a.type() != b.type() || a.rows() != b.rows() || a.cols() != b.cols()) return false;
    if (a.type() == GgmlType::F32) return a.toMatrix() == b.toMatrix();
    return a.storedBytes() == 0 ||
           std::memcmp(a.rowData(0), b.rowData(0), std::size_t(a.storedBytes())) == 0;
}

Matrix& WeightMatrix::values() {
    KVSCOPE_EXPECTS(!isView());
    return m_values;
}

const Matrix& WeightMatrix::values() const {
    KVSCOPE_EXPECTS(!isView());
    return m_values;
}

}  // namespace kvscope

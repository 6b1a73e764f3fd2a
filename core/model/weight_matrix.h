#pragma once
// A 2-D weight tensor as it is stored: `rows` rows of `cols` values of one ggml type, row-major,
// each row a whole number of blocks. Either it owns fp32 values (the built-in demo, random
// weights, builders in tests) or it views bytes kept alive by an owner (a memory-mapped GGUF
// file): quantized weights are never expanded; the matrix products (core/engine/cpu_math.h)
// decode them a few rows at a time. Architecture-neutral: any model's projections can be one.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/model/ggml_type.h"

namespace kvscope {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;

class WeightMatrix {
public:
    WeightMatrix() = default;
    /// Owned fp32 values. Implicit so that builders can assign a Matrix.
    WeightMatrix(Matrix values);  // NOLINT(google-explicit-constructor)
    /// Owned fp32 values from an Eigen expression (Matrix::Zero(r, c), a transpose).
    template <typename Derived>
    WeightMatrix(const Eigen::MatrixBase<Derived>& values)  // NOLINT(google-explicit-constructor)
        : WeightMatrix(Matrix(values)) {}

    /// A view of `bytes` ([rows][row_bytes]) of `type`, alive as long as `owner`.
    /// Preconditions: canDequantize(type); cols is a multiple of the type's block size;
    /// bytes.size() == rows * cols / block_size * type_size.
    static WeightMatrix view(GgmlType type, std::int64_t rows, std::int64_t cols,
                             std::span<const std::byte> bytes, std::shared_ptr<const void> owner);

    GgmlType type() const { return m_type; }
    std::int64_t rows() const { return m_owner ? m_rows : m_values.rows(); }
    std::int64_t cols() const { return m_owner ? m_cols : m_values.cols(); }
    std::int64_t size() const { return rows() * cols(); }
    /// True for a view of someone else's bytes (a mapped file), false for owned fp32 values.
    bool isView() const { return m_owner != nullptr; }
    /// Bytes of one stored row, and of the whole tensor.
    std::int64_t rowBytes() const { return m_owner ? m_row_bytes : cols() * 4; }
    std::int64_t storedBytes() const { return rowBytes() * rows(); }
    /// The stored bytes of row r ([rowBytes()]).
    const std::byte* rowData(std::int64_t r) const;
    /// Row r as fp32 when the type is F32 (no copy), else nullptr.
    const float* f32Row(std::int64_t r) const;
    /// Decodes rows [first, first + n) into out ([n][cols]), bit-identical to ggml.
    void decodeRows(std::int64_t first, std::int64_t n, float* out) const;
    /// Rows [first, first + n) as a matrix of their own: a view of the same bytes (sharing the
    /// owner) for a view, a copy of those rows for owned values. Splits fused tensors (phi3's
    /// attn_qkv, ffn_up) without expanding them. Pre: 0 <= first, first + n <= rows().
    WeightMatrix rowRange(std::int64_t first, std::int64_t n) const;
    /// The whole tensor expanded to fp32 (checks, tests, small tools; not the engine).
    Matrix toMatrix() const;

    /// The owned fp32 values, for builders. Precondition: !isView().
    Matrix& values();
    const Matrix& values() const;

    /// Same type, shape and stored values (fp32 compared as floats).
    friend bool operator==(const WeightMatrix& a, const WeightMatrix& b);

private:
    const std::byte* data() const;

    GgmlType m_type = GgmlType::F32;
    std::int64_t m_rows = 0, m_cols = 0, m_row_bytes = 0;  // a view's shape
    const std::byte* m_view = nullptr;                     // [rows][row_bytes] when a view
    std::shared_ptr<const void> m_owner;                   // keeps m_view alive
    Matrix m_values;  // [rows][cols] when owned (shape read from it)
};

}  // namespace kvscope

#pragma once
// A large GGUF file that costs almost no disk: a valid v3 header with one F32 tensor whose data
// region is a hole (the file is extended with ftruncate, never written). The bench opens it to
// show that GgufFile::open reads the header, not the file.
#include <cstdint>
#include <string>

namespace kvscope::cli {

/// Bytes of one F32 row of the sparse tensor; data_bytes must be a multiple of it.
inline constexpr std::int64_t kSparseRowBytes = 4096 * 4;

/// Writes `path` (replacing it): the header, padded to 32 bytes, then a hole of `data_bytes`
/// holding tensor "sparse.weight" (F32, ne = [4096, data_bytes / 16 KiB]). Returns the header
/// size, which is where the data section starts. Precondition: data_bytes > 0 and a multiple of
/// kSparseRowBytes. Throws std::runtime_error naming the path and the system's reason when the
/// file cannot be written.
std::int64_t writeSparseGguf(const std::string& path, std::int64_t data_bytes);

}  // namespace kvscope::cli

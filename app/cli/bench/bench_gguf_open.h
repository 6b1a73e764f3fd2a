#pragma once
// Timing GgufFile::open: it maps the file and parses the header only, so its time follows the
// header's size, not the file's. The bench opens a large sparse GGUF next to a real model and
// reports both (bench_gguf_open_report.cpp).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace kvscope {
class JsonWriter;
}

namespace kvscope::cli {

struct GgufOpenTiming {
    std::string label;              // "sparse GGUF", "stories260K.gguf"
    std::string path;               // the sparse file is removed once timed
    std::int64_t file_bytes = 0;    // the file's size
    std::int64_t disk_bytes = 0;    // blocks allocated on disk (a sparse file's hole takes none)
    std::int64_t header_bytes = 0;  // GgufFile::dataOffset(): everything before the tensor data
    std::int64_t n_tensors = 0;
    std::int64_t n_metadata = 0;  // keys
    int repetitions = 0;
    double median_ms = 0;  // of one GgufFile::open
};

/// Opens `path` `repetitions` times (after one untimed open) and takes the median.
/// Throws InputError when it is not a readable GGUF file.
GgufOpenTiming timeGgufOpen(const std::string& path, std::string label, int repetitions);

/// Writes a sparse GGUF with `data_bytes` of tensor data (see writeSparseGguf) in a fresh
/// directory under the system temp dir, times its open, and removes the directory again, also
/// when anything fails.
GgufOpenTiming timeSparseGgufOpen(std::int64_t data_bytes, int repetitions);

/// The "GGUF header open" section of the bench table: one row per file, then how the sparse
/// file's size and open time compare with the others'.
void writeGgufOpenTable(const std::vector<GgufOpenTiming>& timings, std::ostream& out);
/// The same as a JSON array of objects (sizes in bytes, time in ms).
void writeGgufOpenJson(JsonWriter& json, const std::vector<GgufOpenTiming>& timings);

}  // namespace kvscope::cli

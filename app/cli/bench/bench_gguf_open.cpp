#include "app/cli/bench/bench_gguf_open.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <sys/stat.h>
#include "app/cli/bench/scratch_dir.h"
#include "app/cli/bench/sparse_gguf.h"
#include "app/cli/stats.h"
#include "core/model/gguf_file.h"

namespace kvscope::cli {

namespace {

/// Bytes the file occupies on disk (st_blocks is in 512-byte units); 0 when stat fails.
std::int64_t diskBytes(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return 0;
    return std::int64_t(info.st_blocks) * 512;
}

}  // namespace

GgufOpenTiming timeGgufOpen(const std::string& path, std::string label, int repetitions) {
    if (repetitions < 1) throw std::logic_error("timeGgufOpen: repetitions >= 1");
    GgufOpenTiming timing;
    timing.label = std::move(label);
    timing.path = path;
    timing.repetitions = repetitions;
    timing.disk_bytes = diskBytes(path);
    {
        const GgufFile file = GgufFile::open(path);  // untimed: warms the page cache
        timing.file_bytes = file.fileSize();
        timing.header_bytes = file.dataOffset();
        timing.n_tensors = std::int64_t(file.tensors().size());
        timing.n_metadata = std::int64_t(file.metadata().size());
    }
    std::vector<double> ms;
    for (int r = 0; r < repetitions; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const GgufFile file = GgufFile::open(path);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    timing.median_ms = median(ms);
    return timing;
}

GgufOpenTiming timeSparseGgufOpen(std::int64_t data_bytes, int repetitions) {
    const ScratchDir dir;
    const std::string path = dir.file("sparse.gguf");
    writeSparseGguf(path, data_bytes);
    return timeGgufOpen(path, "sparse GGUF", repetitions);
}

}  // namespace kvscope::cli

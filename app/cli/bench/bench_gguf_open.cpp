#include "app/cli/bench/bench_gguf_open.h"

#include <chrono>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "app/cli/bench/sparse_gguf.h"
#include "app/cli/stats.h"
#include "core/model/gguf_file.h"

namespace kvscope::cli {

namespace {

/// A fresh directory under the system temp dir, removed with its contents at scope exit.
class ScratchDir {
public:
    ScratchDir() {
        std::random_device entropy;
        m_path = std::filesystem::temp_directory_path() /
                 ("kvscope_bench_" + std::to_string(::getpid()) + "_" + std::to_string(entropy()));
        if (!std::filesystem::create_directory(m_path))
            throw std::runtime_error("bench: temp directory " + m_path.string() + " exists");
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

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

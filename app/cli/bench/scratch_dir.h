#pragma once
// A fresh directory under the system temp dir for the files a bench writes, removed with its
// contents when the ScratchDir goes out of scope (also when the bench fails).
#include <filesystem>
#include <string>

namespace kvscope::cli {

class ScratchDir {
public:
    /// Creates "kvscope_bench_<pid>_<random>" under the temp dir; throws std::runtime_error when
    /// it exists already.
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    /// The path of `name` inside the directory.
    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

}  // namespace kvscope::cli

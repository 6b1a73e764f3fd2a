#include "app/cli/bench/scratch_dir.h"

#include <random>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace kvscope::cli {

ScratchDir::ScratchDir() {
    std::random_device entropy;
    m_path = std::filesystem::temp_directory_path() /
             ("kvscope_bench_" + std::to_string(::getpid()) + "_" + std::to_string(entropy()));
    if (!std::filesystem::create_directory(m_path))
        throw std::runtime_error("bench: temp directory " + m_path.string() + " exists");
}

ScratchDir::~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

}  // namespace kvscope::cli

#pragma once
// Where the GGUF tests find files: the shared real models (../shared/models) and a scratch
// directory of their own.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <system_error>

#include <unistd.h>

#include "../test_skip.h"

namespace kvscope::test {

/// The path of the shared real model `file_name`. A missing file FAILs the current test with
/// "model file not found: PATH" unless KVSCOPE_ALLOW_MISSING_MODELS=1, in which case the test is
/// marked skipped (test_skip.h: CTest reports it as skipped) and nullopt comes back (the caller
/// returns). Never a silent pass. KVSCOPE_TEST_MODELS_DIR replaces the shared models folder.
inline std::optional<std::string> realModelPath(const std::string& file_name) {
    const char* dir = std::getenv("KVSCOPE_TEST_MODELS_DIR");
    const std::string path =
        (dir != nullptr && *dir != '\0' ? std::string(dir)
                                        : std::string(KVSCOPE_SHARED_MODELS_DIR)) +
        "/" + file_name;
    if (std::filesystem::is_regular_file(path)) return path;
    const char* allow = std::getenv("KVSCOPE_ALLOW_MISSING_MODELS");
    if (allow != nullptr && std::string(allow) == "1") {
        skipTest("model file not found: " + path +
                 " (not tested: KVSCOPE_ALLOW_MISSING_MODELS=1 is set)");
        return std::nullopt;
    }
    FAIL("model file not found: " << path
                                  << " (set KVSCOPE_ALLOW_MISSING_MODELS=1 to run without it)");
    return std::nullopt;
}

/// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class GgufTempDir {
public:
    GgufTempDir() {
        std::random_device entropy;
        m_path = std::filesystem::temp_directory_path() /
                 ("kvscope_gguf_" + std::to_string(::getpid()) + "_" + std::to_string(entropy()));
        std::filesystem::create_directories(m_path);
    }
    ~GgufTempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    GgufTempDir(const GgufTempDir&) = delete;
    GgufTempDir& operator=(const GgufTempDir&) = delete;

    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

}  // namespace kvscope::test

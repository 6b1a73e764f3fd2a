#include "core/util/file_size.h"

#include <filesystem>

#include "core/util/error.h"

namespace kvscope {

std::int64_t regularFileSize(std::string_view kind, const std::string& path) {
    const auto fail = [&](const std::string& what) {
        throw InputError(std::string(kind) + " " + path + ": " + what);
    };
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status)) fail("no such file");
    if (!std::filesystem::is_regular_file(status)) fail("not a regular file");
    const auto size = std::filesystem::file_size(path, error);
    if (error) fail("cannot read its size (" + error.message() + ")");
    return std::int64_t(size);
}

}  // namespace kvscope

#include "core/util/text_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/util/error.h"
#include "core/util/format_bytes.h"

namespace kvscope {

std::string readTextFile(std::string_view what, const std::string& path, std::int64_t max_bytes) {
    const std::string prefix = std::string(what) + ": ";
    const auto too_large = [&] {
        throw InputError(prefix + "'" + path + "' is larger than the " + formatBytes(max_bytes) +
                         " limit");
    };
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status)) throw InputError(prefix + "'" + path + "': no such file");
    if (std::filesystem::is_directory(status))
        throw InputError(prefix + "'" + path + "' is a directory, not a text file");
    // Opening a pipe blocks until something writes to it: refused, as a socket is.
    if (std::filesystem::is_fifo(status) || std::filesystem::is_socket(status))
        throw InputError(prefix + "'" + path + "' is not a regular file (a pipe or a socket)");
    if (std::filesystem::is_regular_file(status)) {
        const auto size = std::filesystem::file_size(path, error);
        if (!error && std::int64_t(size) > max_bytes) too_large();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(prefix + "cannot read '" + path + "': " + std::strerror(errno));
    std::string text;
    if (!readAtMost(in, max_bytes, text, prefix + "'" + path + "'")) too_large();  // /dev/zero
    return text;
}

bool readAtMost(std::istream& in, std::int64_t max_bytes, std::string& text,
                std::string_view what) {
    text.clear();
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        if (std::int64_t(text.size()) + in.gcount() > max_bytes) return false;
        text.append(buffer, std::size_t(in.gcount()));
    }
    if (in.bad()) throw InputError(std::string(what) + ": read error");
    return true;
}

}  // namespace kvscope

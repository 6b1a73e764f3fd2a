#include "app/cli/bench/sparse_gguf.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

namespace kvscope::cli {

namespace {

constexpr std::uint32_t kGgufVersion = 3;
constexpr std::uint32_t kGgufTypeString = 8;
constexpr std::uint32_t kGgmlTypeF32 = 0;
constexpr std::int64_t kAlignment = 32;  // GGUF's default general.alignment
constexpr std::int64_t kRowElements = kSparseRowBytes / 4;

/// Little-endian GGUF v3 header bytes.
class HeaderBytes {
public:
    void u32(std::uint32_t v) { raw(&v, sizeof v); }
    void u64(std::uint64_t v) { raw(&v, sizeof v); }
    void str(std::string_view s) {
        u64(s.size());
        m_bytes.append(s);
    }
    void padTo(std::int64_t alignment) {
        while (std::int64_t(m_bytes.size()) % alignment != 0)
            m_bytes.push_back('\0');
    }
    const std::string& bytes() const { return m_bytes; }

private:
    void raw(const void* value, std::size_t n) {
        static_assert(std::endian::native == std::endian::little, "GGUF is little-endian");
        m_bytes.append(static_cast<const char*>(value), n);
    }
    std::string m_bytes;
};

std::string header(std::int64_t data_bytes) {
    HeaderBytes h;
    h.u32(0x46554747);  // "GGUF" read as a little-endian uint32
    h.u32(kGgufVersion);
    h.u64(1);  // tensors
    h.u64(1);  // metadata keys
    h.str("general.architecture");
    h.u32(kGgufTypeString);
    h.str("sparse");
    h.str("sparse.weight");
    h.u32(2);  // dims
    h.u64(kRowElements);
    h.u64(std::uint64_t(data_bytes / kSparseRowBytes));
    h.u32(kGgmlTypeF32);
    h.u64(0);  // offset in the data section
    h.padTo(kAlignment);
    return h.bytes();
}

[[noreturn]] void fail(const std::string& path, const char* what, int error) {
    throw std::runtime_error("sparse GGUF " + path + ": " + what + ": " + std::strerror(error));
}

}  // namespace

std::int64_t writeSparseGguf(const std::string& path, std::int64_t data_bytes) {
    if (data_bytes <= 0 || data_bytes % kSparseRowBytes != 0)
        throw std::logic_error("writeSparseGguf: data_bytes must be a positive multiple of 16 KiB");
    const std::string bytes = header(data_bytes);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail(path, "cannot create", errno);
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            fail(path, "cannot write the header", error);
        }
        written += std::size_t(n);
    }
    // The data section is a hole: the file grows without a byte being written.
    if (::ftruncate(fd, off_t(std::int64_t(bytes.size()) + data_bytes)) != 0) {
        const int error = errno;
        ::close(fd);
        fail(path, "cannot extend the file", error);
    }
    if (::close(fd) != 0) fail(path, "cannot close", errno);
    return std::int64_t(bytes.size());
}

}  // namespace kvscope::cli

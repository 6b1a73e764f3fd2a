#include "core/util/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "core/util/error.h"

namespace kvscope {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int error_number) {
    throw InputError("cannot " + what + " '" + path + "': " + std::strerror(error_number));
}

/// Closes a file descriptor when leaving scope (the mapping stays valid after close).
struct FdGuard {
    int fd;
    ~FdGuard() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

MappedFile MappedFile::open(const std::string& path) {
    const FdGuard fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) fail(path, "open", errno);
    struct stat info {};
    if (::fstat(fd.fd, &info) != 0) fail(path, "stat", errno);
    if (!S_ISREG(info.st_mode)) {
        throw InputError("cannot map '" + path + "': not a regular file");
    }
    if (info.st_size < 0 ||
        std::uint64_t(info.st_size) > std::uint64_t(std::numeric_limits<std::size_t>::max())) {
        throw InputError("cannot map '" + path + "': file size does not fit in memory");
    }
    MappedFile file;
    file.m_path = path;
    file.m_size = std::int64_t(info.st_size);
    if (file.m_size == 0) return file;  // mmap refuses length 0; an empty span is the answer
    void* data = ::mmap(nullptr, std::size_t(file.m_size), PROT_READ, MAP_PRIVATE, fd.fd, 0);
    if (data == MAP_FAILED) fail(path, "map", errno);
    file.m_data = static_cast<const std::byte*>(data);
    return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_path(std::move(other.m_path)),
      m_data(std::exchange(other.m_data, nullptr)),
      m_size(std::exchange(other.m_size, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        m_path = std::move(other.m_path);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

MappedFile::~MappedFile() {
    release();
}

void MappedFile::release() noexcept {
    if (m_data != nullptr) ::munmap(const_cast<std::byte*>(m_data), std::size_t(m_size));
    m_data = nullptr;
    m_size = 0;
}

}  // namespace kvscope

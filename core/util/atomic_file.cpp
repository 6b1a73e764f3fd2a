#include "core/util/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <streambuf>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "core/util/error.h"

namespace kvscope {

namespace {

[[noreturn]] void failOs(const std::string& path, std::string_view doing, int error) {
    throw InputError("cannot write '" + path + "': " + std::strerror(error) + " (" +
                     std::string(doing) + ")");
}

/// An output stream buffer over a POSIX file descriptor that remembers the first write error.
class FdStreamBuf final : public std::streambuf {
public:
    explicit FdStreamBuf(int fd) : m_fd(fd), m_buffer(1 << 16) {
        setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
    }
    /// errno of the first failed write, 0 when none failed.
    int error() const { return m_error; }
    /// Writes out what is buffered; false on failure (see error()).
    bool flushBuffer() {
        const char* data = pbase();
        std::size_t left = std::size_t(pptr() - pbase());
        while (left > 0 && m_error == 0) {
            const ssize_t n = ::write(m_fd, data, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                m_error = errno;
                break;
            }
            data += n;
            left -= std::size_t(n);
        }
        setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
        return m_error == 0;
    }

protected:
    int_type overflow(int_type ch) override {
        if (!flushBuffer()) return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override { return flushBuffer() ? 0 : -1; }

private:
    int m_fd;
    std::vector<char> m_buffer;
    int m_error = 0;
};

/// The longest file name the target's folder takes (NAME_MAX; 255 where it cannot be asked).
std::size_t maxNameBytes(const std::filesystem::path& folder) {
    const std::string dir = folder.empty() ? std::string(".") : folder.string();
    const long limit = ::pathconf(dir.c_str(), _PC_NAME_MAX);
    return limit > 0 ? std::size_t(limit) : 255;
}

/// "DIR/.NAME.tmp-PID-RANDOM": hidden, beside the target, unlikely to collide (O_EXCL checks).
/// NAME is cut short where the whole would pass the folder's name limit, so a target whose own
/// name the file system accepts always gets a temporary.
std::string tempPathFor(const std::string& path) {
    const std::filesystem::path target(path);
    std::random_device entropy;
    std::string suffix = ".tmp-";
    suffix += std::to_string(::getpid());
    suffix += "-";
    suffix += std::to_string(entropy());
    std::string stem = target.filename().string();
    const std::size_t limit = maxNameBytes(target.parent_path());
    const std::size_t room = limit > suffix.size() + 1 ? limit - suffix.size() - 1 : 0;
    if (stem.size() > room) stem.resize(room);
    // Appended piece by piece: gcc 12 warns falsely (-Wrestrict) on "." + std::string.
    std::string name = ".";
    name += stem;
    name += suffix;
    return (target.parent_path() / name).string();
}

/// Removes the temporary file and closes its descriptor when the write does not complete.
class TempFile {
public:
    explicit TempFile(const std::string& target) {
        for (int attempt = 0; attempt < 8; ++attempt) {
            m_path = tempPathFor(target);
            m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (m_fd >= 0 || errno != EEXIST) break;
        }
        if (m_fd < 0) failOs(target, "creating a temporary file in its directory", errno);
    }
    ~TempFile() {
        if (m_fd >= 0) ::close(m_fd);
        if (!m_committed) ::unlink(m_path.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int fd() const { return m_fd; }
    /// Flushes to disk, closes and renames over `target`. Throws InputError on failure.
    void commit(const std::string& target) {
        if (::fsync(m_fd) != 0) failOs(target, "flushing to disk", errno);
        const int fd = m_fd;
        m_fd = -1;
        if (::close(fd) != 0) failOs(target, "closing the temporary file", errno);
        if (::rename(m_path.c_str(), target.c_str()) != 0)
            failOs(target, "renaming the temporary file over it", errno);
        m_committed = true;
    }

private:
    std::string m_path;
    int m_fd = -1;
    bool m_committed = false;
};

}  // namespace

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    if (path.empty()) throw InputError("cannot write a file with an empty name");
    // Renaming over a device or a pipe would replace it (run as root: /dev/full became a file).
    std::error_code error;
    const auto status = std::filesystem::symlink_status(path, error);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
        !std::filesystem::is_symlink(status))
        throw InputError("cannot write '" + path + "': it exists and is not a regular file");
    TempFile temp(path);
    FdStreamBuf buffer(temp.fd());
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (buffer.error() != 0) failOs(path, "writing", buffer.error());
    if (!out) throw InputError("cannot write '" + path + "': the output stream failed");
    temp.commit(path);
}

void writeFileAtomically(const std::string& path, std::string_view content) {
    writeFileAtomically(path,
                        [&](std::ostream& out) { out.write(content.data(), content.size()); });
}

}  // namespace kvscope

#pragma once
// Ways to make a file write fail for the tests, even when they run as root (which ignores
// directory permissions): a read-only directory, and a file size limit that fails writes midway.
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace kvscope::test {

/// True when a file can be created in `dir` (the probe file is removed again).
inline bool canCreateFileIn(const std::string& dir) {
    const std::string probe = dir + "/.kvscope_probe";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return false;
    ::close(fd);
    ::unlink(probe.c_str());
    return true;
}

/// `scratch` made read-only (mode 0555) when that stops us creating files there; otherwise (root)
/// "/sys", where no one may create files. FAILs when neither refuses.
inline std::string readOnlyDirectory(const std::string& scratch) {
    namespace fs = std::filesystem;
    fs::permissions(scratch, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                 fs::perms::group_exec | fs::perms::others_read |
                                 fs::perms::others_exec);
    if (!canCreateFileIn(scratch)) return scratch;
    fs::permissions(scratch, fs::perms::owner_all, fs::perm_options::add);
    if (fs::is_directory("/sys") && !canCreateFileIn("/sys")) return "/sys";
    FAIL("no read-only directory to test with: " << scratch
                                                 << " (mode 0555) and /sys both accept new files");
    return {};
}

/// While alive, writes that make a regular file larger than `max_bytes` fail with EFBIG (and
/// SIGXFSZ is ignored so that they fail instead of killing the process).
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t max_bytes) {
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &m_saved) == 0);
        m_old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = m_saved;
        limit.rlim_cur = max_bytes;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_old_handler);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit m_saved{};
    void (*m_old_handler)(int) = SIG_DFL;
};

}  // namespace kvscope::test

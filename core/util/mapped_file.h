#pragma once
// A read-only memory map of a whole file (RAII). Mapping reads nothing: pages are read from disk
// only when they are touched, so opening a multi-GB model and reading its header touches only the
// header's pages.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace kvscope {

class MappedFile {
public:
    /// Maps `path` read-only. Throws InputError naming the path and the system's reason (errno
    /// text) when the file cannot be opened, is not a regular file, or cannot be mapped.
    /// An empty file maps to an empty span.
    static MappedFile open(const std::string& path);

    MappedFile() = default;
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    /// The file's bytes; valid while this object lives. The file must not be truncated by
    /// another process while mapped (the OS would signal SIGBUS on access past the new end).
    std::span<const std::byte> bytes() const { return {m_data, std::size_t(m_size)}; }
    std::int64_t size() const { return m_size; }
    const std::string& path() const { return m_path; }

private:
    void release() noexcept;

    std::string m_path;
    const std::byte* m_data = nullptr;  // [m_size] mapped bytes, or null when empty
    std::int64_t m_size = 0;
};

}  // namespace kvscope

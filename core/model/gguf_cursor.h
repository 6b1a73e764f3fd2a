#pragma once
// A bounds-checked little-endian reader over the bytes of a GGUF file. Every read checks that it
// stays inside the file; every failure throws InputError as
//   "GGUF <path>: at offset N: <what went wrong> (<context>)"
// where N is the offset of the field that could not be read and context names the key or tensor.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace kvscope {

static_assert(std::endian::native == std::endian::little,
              "the GGUF reader assumes a little-endian host");

class GgufCursor {
public:
    /// Reads `bytes` (the whole file) starting at `offset`, as GGUF `version` (1 has 32-bit
    /// counts and string lengths, 2 and later 64-bit). `path` names the file in errors.
    /// Precondition: 0 <= offset <= bytes.size(); `bytes` and `path` outlive the cursor.
    GgufCursor(std::span<const std::byte> bytes, const std::string& path, std::uint32_t version,
               std::int64_t offset = 0);

    std::int64_t offset() const { return m_offset; }
    std::int64_t remaining() const { return std::int64_t(m_bytes.size()) - m_offset; }
    std::int64_t fileSize() const { return std::int64_t(m_bytes.size()); }
    /// Bytes of a count or string length in this version (4 or 8).
    std::int64_t countSize() const { return m_version == 1 ? 4 : 8; }

    /// Named in the parentheses of every error from now on, e.g. "key 'general.name'". Empty
    /// clears it.
    void setContext(std::string context) { m_context = std::move(context); }

    /// Throws InputError for a problem with the field starting at `at`.
    [[noreturn]] void fail(std::int64_t at, const std::string& what) const;

    std::uint8_t readU8(std::string_view field);
    std::uint16_t readU16(std::string_view field);
    std::uint32_t readU32(std::string_view field);
    std::uint64_t readU64(std::string_view field);
    /// A count or length: uint32 in v1, uint64 later. Fails when it exceeds INT64_MAX.
    std::int64_t readCount(std::string_view field);
    /// A length-prefixed string; the length is checked against the bytes left BEFORE anything
    /// is allocated.
    std::string readString(std::string_view field);
    /// Like readString, without copying: the view points into the file.
    std::string_view readStringView(std::string_view field);
    /// Advances `n` bytes; fails when fewer than `n` are left. Precondition: n >= 0.
    void skip(std::int64_t n, std::string_view field);
    /// Fails unless `n` more bytes can be read from the current offset. Precondition: n >= 0.
    void require(std::int64_t n, std::string_view field) const;

private:
    /// Reads `N` bytes little-endian into T. Precondition: sizeof(T) == N.
    template <typename T>
    T readRaw(std::string_view field);

    std::span<const std::byte> m_bytes;  // [file size] the whole file
    const std::string& m_path;
    std::uint32_t m_version;
    std::int64_t m_offset;
    std::string m_context;
};

}  // namespace kvscope

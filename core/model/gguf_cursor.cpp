#include "core/model/gguf_cursor.h"

#include <cstring>
#include <limits>

#include "core/util/error.h"

namespace kvscope {

GgufCursor::GgufCursor(std::span<const std::byte> bytes, const std::string& path,
                       std::uint32_t version, std::int64_t offset)
    : m_bytes(bytes), m_path(path), m_version(version), m_offset(offset) {}

void GgufCursor::fail(std::int64_t at, const std::string& what) const {
    std::string message = "GGUF " + m_path + ": at offset " + std::to_string(at) + ": " + what;
    if (!m_context.empty()) message += " (" + m_context + ")";
    throw InputError(message);
}

void GgufCursor::require(std::int64_t n, std::string_view field) const {
    if (n > remaining()) {
        fail(m_offset, "file ends inside " + std::string(field) + " (needs " + std::to_string(n) +
                           " bytes, " + std::to_string(remaining()) + " left of " +
                           std::to_string(fileSize()) + ")");
    }
}

void GgufCursor::skip(std::int64_t n, std::string_view field) {
    require(n, field);
    m_offset += n;
}

template <typename T>
T GgufCursor::readRaw(std::string_view field) {
    require(std::int64_t(sizeof(T)), field);
    T value;
    std::memcpy(&value, m_bytes.data() + m_offset, sizeof(T));
    m_offset += std::int64_t(sizeof(T));
    return value;
}

std::uint8_t GgufCursor::readU8(std::string_view field) {
    return readRaw<std::uint8_t>(field);
}
std::uint16_t GgufCursor::readU16(std::string_view field) {
    return readRaw<std::uint16_t>(field);
}
std::uint32_t GgufCursor::readU32(std::string_view field) {
    return readRaw<std::uint32_t>(field);
}
std::uint64_t GgufCursor::readU64(std::string_view field) {
    return readRaw<std::uint64_t>(field);
}

std::int64_t GgufCursor::readCount(std::string_view field) {
    const std::int64_t at = m_offset;
    const std::uint64_t count = m_version == 1 ? readU32(field) : readU64(field);
    if (count > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
        fail(at, std::string(field) + " " + std::to_string(count) + " exceeds 2^63 - 1");
    }
    return std::int64_t(count);
}

std::string_view GgufCursor::readStringView(std::string_view field) {
    const std::int64_t at = m_offset;
    const std::int64_t length = readCount(std::string(field) + " length");
    if (length > remaining()) {
        fail(at, std::string(field) + " length " + std::to_string(length) + " exceeds the " +
                     std::to_string(remaining()) + " bytes left in the file (size " +
                     std::to_string(fileSize()) + ")");
    }
    const auto* begin = reinterpret_cast<const char*>(m_bytes.data() + m_offset);
    m_offset += length;
    return {begin, std::size_t(length)};
}

std::string GgufCursor::readString(std::string_view field) {
    return std::string(readStringView(field));
}

}  // namespace kvscope

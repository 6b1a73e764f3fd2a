#include "core/model/raw_file_reader.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "core/util/error.h"
#include "core/util/file_size.h"

namespace kvscope {

static_assert(std::endian::native == std::endian::little,
              "llama2.c files are little-endian; this reader assumes a little-endian host");

RawFileReader::RawFileReader(std::string kind, const std::string& path)
    : m_kind(std::move(kind)), m_path(path) {
    m_size = regularFileSize(m_kind, path);
    m_in.open(path, std::ios::binary);
    if (!m_in) fail(std::string("cannot open (") + std::strerror(errno) + ")");
}

void RawFileReader::requireLeft(std::int64_t n, std::string_view item) const {
    if (n < 0 || n > remaining()) {
        fail("ends inside " + std::string(item) + " at offset " + std::to_string(m_offset) + " (" +
             std::to_string(n) + " bytes needed, " + std::to_string(remaining()) + " left)");
    }
}

void RawFileReader::read(void* dst, std::int64_t n, std::string_view item) {
    requireLeft(n, item);
    m_in.read(static_cast<char*>(dst), std::streamsize(n));
    if (m_in.gcount() != std::streamsize(n)) {
        fail("read failed inside " + std::string(item) + " at offset " + std::to_string(m_offset) +
             " (did the file change while reading?)");
    }
    m_offset += n;
}

void RawFileReader::skip(std::int64_t n, std::string_view item) {
    requireLeft(n, item);
    m_in.seekg(std::streamoff(n), std::ios::cur);
    if (!m_in)
        fail("seek failed past " + std::string(item) + " at offset " + std::to_string(m_offset));
    m_offset += n;
}

std::int32_t RawFileReader::readInt32(std::string_view item) {
    std::int32_t value = 0;
    read(&value, sizeof value, item);
    return value;
}

float RawFileReader::readFloat32(std::string_view item) {
    float value = 0;
    read(&value, sizeof value, item);
    return value;
}

void RawFileReader::fail(const std::string& message) const {
    throw InputError(m_kind + " " + m_path + ": " + message);
}

}  // namespace kvscope

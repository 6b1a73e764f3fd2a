#pragma once
// Sequential reads of a small binary file (llama2.c checkpoints and tokenizer.bin) that check
// every read against the file's size and report where a file ends too soon.
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace kvscope {

class RawFileReader {
public:
    /// Opens `path`. `kind` names the file in messages ("llama2.c checkpoint"). Throws InputError
    /// naming the path when it does not exist, is not a regular file or cannot be opened.
    RawFileReader(std::string kind, const std::string& path);

    std::int64_t size() const { return m_size; }
    std::int64_t offset() const { return m_offset; }
    std::int64_t remaining() const { return m_size - m_offset; }

    /// Reads `n` bytes into `dst` ([n] bytes). Throws InputError naming `item` and the offset
    /// when fewer than `n` bytes are left.
    void read(void* dst, std::int64_t n, std::string_view item);
    /// Little-endian 32-bit values (the files are written by x86/ARM hosts in native order).
    std::int32_t readInt32(std::string_view item);
    /// Moves past `n` bytes without reading them; throws like read().
    void skip(std::int64_t n, std::string_view item);
    float readFloat32(std::string_view item);

    /// Throws InputError "<kind> <path>: <message>".
    [[noreturn]] void fail(const std::string& message) const;

private:
    void requireLeft(std::int64_t n, std::string_view item) const;

    std::string m_kind;
    std::string m_path;
    std::ifstream m_in;
    std::int64_t m_size = 0;
    std::int64_t m_offset = 0;
};

}  // namespace kvscope

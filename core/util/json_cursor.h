#pragma once
// Where the JSON parser is in its text: a byte offset, and the InputError
// "JSON <source>: line L, column C: <what>" for an offset (the line and column are counted only
// when an error is raised). Shared by the parser's files (json_parser.cpp, json_literals.cpp);
// not a public API.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/json_document.h"

namespace kvscope {

class JsonCursor {
public:
    JsonCursor(std::string_view text, std::string_view source) : m_text(text), m_source(source) {}

    std::string_view text() const { return m_text; }
    std::size_t pos() const { return m_pos; }
    bool atEnd() const { return m_pos >= m_text.size(); }
    /// The byte at the cursor, or '\0' at the end of the text.
    char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }
    unsigned char byteAt(std::size_t pos) const { return static_cast<unsigned char>(m_text[pos]); }
    /// Moves past `n` bytes. Pre: n <= what is left.
    void advance(std::size_t n = 1) { m_pos += n; }

    /// Skips a UTF-8 byte order mark at the very start (RFC 8259 section 8.1 allows ignoring it).
    void skipByteOrderMark();
    /// Skips spaces, tabs and line breaks.
    void skipWhitespace() {
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
            ++m_pos;
        }
    }

    /// Line and column of byte offset `pos` (counted from the start: for messages).
    JsonTextPosition positionOf(std::size_t pos) const { return jsonTextPosition(m_text, pos); }
    /// Throws the InputError for `what` at byte offset `pos`.
    [[noreturn]] void fail(std::size_t pos, const std::string& what) const;
    [[noreturn]] void failAt(JsonTextPosition at, const std::string& what) const;
    /// "end of input", "'x'" (printable ASCII), or "byte 0xE2" for what starts at `pos`.
    std::string describeAt(std::size_t pos) const;

private:
    std::string_view m_text;
    std::string_view m_source;
    std::size_t m_pos = 0;
};

/// "0xE2".
std::string jsonHexByte(unsigned char byte);

}  // namespace kvscope

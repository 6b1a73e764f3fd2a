#pragma once
// Where the JSON parser is in its text: the byte offset, line and column (columns count
// characters, not bytes), and the InputError "JSON <source>: line L, column C: <what>".
// Shared by the parser's files (json_parser.cpp, json_literals.cpp); not a public API.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kvscope {

struct JsonTextPosition {
    std::int64_t line = 1;
    std::int64_t column = 1;
};

class JsonCursor {
public:
    JsonCursor(std::string_view text, std::string_view source);

    std::string_view text() const { return m_text; }
    std::size_t pos() const { return m_pos; }
    bool atEnd() const { return m_pos >= m_text.size(); }
    /// The byte at the cursor, or '\0' at the end of the text.
    char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }
    unsigned char byteAt(std::size_t pos) const { return static_cast<unsigned char>(m_text[pos]); }
    /// Moves past `n` bytes that are not line breaks. Pre: n <= what is left.
    void advance(std::size_t n = 1) { m_pos += n; }
    const std::shared_ptr<const std::string>& source() const { return m_source; }

    /// Skips a UTF-8 byte order mark at the very start (RFC 8259 section 8.1 allows ignoring it).
    void skipByteOrderMark();
    /// Skips spaces, tabs and line breaks (\n, \r\n, or a lone \r), counting lines.
    void skipWhitespace();

    /// Line and column of byte offset `pos`. The offsets asked for grow with the parse, so the
    /// column is counted on from the previous answer: linear time over the whole document.
    JsonTextPosition positionOf(std::size_t pos);
    /// Throws the InputError for `what` at byte offset `pos`.
    [[noreturn]] void fail(std::size_t pos, const std::string& what);
    [[noreturn]] void failAt(JsonTextPosition at, const std::string& what) const;
    /// "end of input", "'x'" (printable ASCII), or "byte 0xE2" for what starts at `pos`.
    std::string describeAt(std::size_t pos) const;

private:
    /// Position of `pos` counted from the start of the text (for offsets before the line).
    JsonTextPosition recount(std::size_t pos) const;

    std::string_view m_text;
    std::shared_ptr<const std::string> m_source;  // shared with every value of the document
    std::size_t m_pos = 0;
    std::int64_t m_line = 1;
    std::size_t m_line_start = 0;  // byte offset where line m_line starts
    std::size_t m_column_pos = 0;  // byte offset whose column is m_column (on line m_line)
    std::int64_t m_column = 1;
};

/// "0xE2".
std::string jsonHexByte(unsigned char byte);

}  // namespace kvscope

#include "core/util/json_cursor.h"

#include "core/util/error.h"

namespace kvscope {

namespace {

bool isContinuationByte(unsigned char byte) {
    return (byte & 0xC0) == 0x80;
}

}  // namespace

std::string jsonHexByte(unsigned char byte) {
    constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "0x";
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
    return out;
}

JsonCursor::JsonCursor(std::string_view text, std::string_view source)
    : m_text(text), m_source(std::make_shared<const std::string>(source)) {}

void JsonCursor::skipByteOrderMark() {
    if (m_pos == 0 && m_text.starts_with("\xEF\xBB\xBF")) {
        m_pos = 3;
        m_line_start = m_column_pos = 3;  // the mark takes no column
    }
}

void JsonCursor::skipWhitespace() {
    while (!atEnd()) {
        const char c = m_text[m_pos];
        if (c == ' ' || c == '\t') {
            ++m_pos;
        } else if (c == '\n' || c == '\r') {
            ++m_pos;
            if (c == '\r' && peek() == '\n') ++m_pos;
            ++m_line;
            m_line_start = m_column_pos = m_pos;
            m_column = 1;
        } else {
            return;
        }
    }
}

JsonTextPosition JsonCursor::positionOf(std::size_t pos) {
    if (pos < m_line_start) return recount(pos);  // only for messages, never in a loop
    if (pos < m_column_pos) {
        m_column_pos = m_line_start;
        m_column = 1;
    }
    for (; m_column_pos < pos && m_column_pos < m_text.size(); ++m_column_pos) {
        if (!isContinuationByte(byteAt(m_column_pos))) ++m_column;
    }
    return {m_line, m_column};
}

JsonTextPosition JsonCursor::recount(std::size_t pos) const {
    JsonTextPosition at;
    for (std::size_t i = m_text.starts_with("\xEF\xBB\xBF") ? 3 : 0; i < pos && i < m_text.size();
         ++i) {
        const char c = m_text[i];
        const bool crlf = c == '\r' && i + 1 < m_text.size() && m_text[i + 1] == '\n';
        if (c == '\n' || (c == '\r' && !crlf)) {
            ++at.line;
            at.column = 1;
        } else if (!crlf && !isContinuationByte(byteAt(i))) {
            ++at.column;
        }
    }
    return at;
}

void JsonCursor::fail(std::size_t pos, const std::string& what) {
    failAt(positionOf(pos), what);
}

void JsonCursor::failAt(JsonTextPosition at, const std::string& what) const {
    throw InputError("JSON " + *m_source + ": line " + std::to_string(at.line) + ", column " +
                     std::to_string(at.column) + ": " + what);
}

std::string JsonCursor::describeAt(std::size_t pos) const {
    if (pos >= m_text.size()) return "end of input";
    const unsigned char byte = byteAt(pos);
    if (byte >= 0x20 && byte < 0x7F) return std::string("'") + char(byte) + "'";
    return "byte " + jsonHexByte(byte);
}

}  // namespace kvscope

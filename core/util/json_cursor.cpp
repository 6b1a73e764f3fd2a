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

JsonTextPosition jsonTextPosition(std::string_view text, std::size_t pos) {
    JsonTextPosition at;
    for (std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0; i < pos && i < text.size();
         ++i) {
        const char c = text[i];
        const bool crlf = c == '\r' && i + 1 < text.size() && text[i + 1] == '\n';
        if (c == '\n' || (c == '\r' && !crlf)) {
            ++at.line;
            at.column = 1;
        } else if (!crlf && !isContinuationByte(static_cast<unsigned char>(c))) {
            ++at.column;
        }
    }
    return at;
}

void JsonCursor::skipByteOrderMark() {
    if (m_pos == 0 && m_text.starts_with("\xEF\xBB\xBF")) m_pos = 3;
}

void JsonCursor::fail(std::size_t pos, const std::string& what) const {
    failAt(positionOf(pos), what);
}

void JsonCursor::failAt(JsonTextPosition at, const std::string& what) const {
    throw InputError("JSON " + std::string(m_source) + ": line " + std::to_string(at.line) +
                     ", column " + std::to_string(at.column) + ": " + what);
}

std::string JsonCursor::describeAt(std::size_t pos) const {
    if (pos >= m_text.size()) return "end of input";
    const unsigned char byte = byteAt(pos);
    if (byte >= 0x20 && byte < 0x7F) return std::string("'") + char(byte) + "'";
    return "byte " + jsonHexByte(byte);
}

}  // namespace kvscope

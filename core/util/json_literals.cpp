// Strings and words of JSON text (numbers are in json_number_literal.cpp).
#include <algorithm>
#include <cctype>
#include <cstdint>

#include "core/util/json_literals.h"
#include "core/util/utf8.h"

namespace kvscope {

namespace {

bool isContinuationByte(unsigned char byte) {
    return (byte & 0xC0) == 0x80;
}

std::string hex4(std::uint32_t unit) {
    constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
        out += kHex[(unit >> shift) & 0xF];
    return out;
}

/// Reads the 4 hex digits after "\u" (the cursor is on the first); `at` is the backslash.
std::uint32_t readHex4(JsonCursor& cursor, std::size_t at) {
    std::uint32_t unit = 0;
    for (int i = 0; i < 4; ++i, cursor.advance()) {
        const char c = cursor.peek();
        std::uint32_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = std::uint32_t(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = std::uint32_t(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = std::uint32_t(c - 'A' + 10);
        } else {
            cursor.fail(
                at, "\\u must be followed by 4 hex digits, got " + cursor.describeAt(cursor.pos()));
        }
        unit = unit * 16 + digit;
    }
    return unit;
}

/// A \uXXXX escape (the cursor is after the 'u'), joining a surrogate pair into one code point.
std::uint32_t readUnicodeEscape(JsonCursor& cursor, std::size_t at) {
    const std::uint32_t unit = readHex4(cursor, at);
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
        cursor.fail(at, "lone low surrogate " + hex4(unit) +
                            " (it must follow a high surrogate \\uD800-\\uDBFF)");
    }
    if (unit < 0xD800 || unit > 0xDBFF) return unit;
    const std::size_t low_at = cursor.pos();
    if (cursor.text().substr(low_at, 2) != "\\u") {
        cursor.fail(at, "lone high surrogate " + hex4(unit) +
                            " (it must be followed by a low surrogate \\uDC00-\\uDFFF)");
    }
    cursor.advance(2);
    const std::uint32_t low = readHex4(cursor, low_at);
    if (low < 0xDC00 || low > 0xDFFF) {
        cursor.fail(at, "lone high surrogate " + hex4(unit) + " followed by " + hex4(low) +
                            ", not by a low surrogate \\uDC00-\\uDFFF");
    }
    return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
}

/// Appends the escape at the cursor (on the backslash) to `out`.
void readEscape(JsonCursor& cursor, std::string& out) {
    const std::size_t at = cursor.pos();
    cursor.advance();  // '\'
    if (cursor.atEnd()) cursor.fail(at, "unterminated escape at the end of input");
    const char c = cursor.peek();
    cursor.advance();
    switch (c) {
        case '"':
        case '\\':
        case '/':
            out += c;
            return;
        case 'b':
            out += '\b';
            return;
        case 'f':
            out += '\f';
            return;
        case 'n':
            out += '\n';
            return;
        case 'r':
            out += '\r';
            return;
        case 't':
            out += '\t';
            return;
        case 'u':
            appendUtf8(out, char32_t(readUnicodeEscape(cursor, at)));
            return;
        default: {
            const unsigned char byte = static_cast<unsigned char>(c);
            const std::string shown = byte >= 0x20 && byte < 0x7F
                                          ? "'\\" + std::string(1, c) + "'"
                                          : "'\\' followed by byte " + jsonHexByte(byte);
            cursor.fail(at, "invalid escape " + shown +
                                " in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }
}

/// Length of the well-formed UTF-8 sequence at `pos` (lead byte >= 0x80); fails naming the
/// problem otherwise (Unicode table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8Length(JsonCursor& cursor, std::size_t pos) {
    const unsigned char lead = cursor.byteAt(pos);
    std::size_t length = 0;
    unsigned char second_min = 0x80, second_max = 0xBF;
    const char* second_problem = "";
    if (isContinuationByte(lead)) {
        cursor.fail(pos, "invalid UTF-8: unexpected continuation byte " + jsonHexByte(lead));
    } else if (lead == 0xC0 || lead == 0xC1) {
        cursor.fail(pos, "invalid UTF-8: overlong encoding (lead byte " + jsonHexByte(lead) + ")");
    } else if (lead <= 0xDF) {
        length = 2;
    } else if (lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_min = 0xA0, second_problem = "overlong encoding";
        if (lead == 0xED) second_max = 0x9F, second_problem = "encoded surrogate U+D800-U+DFFF";
    } else if (lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_min = 0x90, second_problem = "overlong encoding";
        if (lead == 0xF4) second_max = 0x8F, second_problem = "code point above U+10FFFF";
    } else {
        cursor.fail(pos, "invalid UTF-8: byte " + jsonHexByte(lead) + " never occurs in UTF-8");
    }
    const std::string_view text = cursor.text();
    for (std::size_t k = 1; k < length; ++k) {
        if (pos + k >= text.size() || !isContinuationByte(cursor.byteAt(pos + k))) {
            cursor.fail(pos, "invalid UTF-8: truncated sequence (lead byte " + jsonHexByte(lead) +
                                 " needs " + std::to_string(length) + " bytes)");
        }
    }
    const unsigned char second = cursor.byteAt(pos + 1);
    if (second < second_min || second > second_max) {
        cursor.fail(pos, std::string("invalid UTF-8: ") + second_problem + " (bytes " +
                             jsonHexByte(lead) + " " + jsonHexByte(second) + ")");
    }
    return length;
}

std::string_view wordAt(const JsonCursor& cursor, std::size_t pos) {
    const std::string_view text = cursor.text();
    std::size_t end = pos;
    while (end < text.size() && isJsonWordChar(text[end]))
        ++end;
    return text.substr(pos, end - pos);
}

}  // namespace

bool isJsonDigit(char c) {
    return c >= '0' && c <= '9';
}

bool isJsonWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isJsonDigit(c) || c == '_';
}

std::string readJsonString(JsonCursor& cursor) {
    const std::size_t start = cursor.pos();
    cursor.advance();  // '"'
    std::string out;
    while (true) {
        const std::size_t pos = cursor.pos();
        if (cursor.atEnd()) {
            const JsonTextPosition at = cursor.positionOf(start);
            cursor.fail(pos, "unterminated string (it starts at line " + std::to_string(at.line) +
                                 ", column " + std::to_string(at.column) + ")");
        }
        const unsigned char byte = cursor.byteAt(pos);
        if (byte == '"') {
            cursor.advance();
            return out;
        }
        if (byte == '\\') {
            readEscape(cursor, out);
        } else if (byte < 0x20) {
            cursor.fail(pos, "unescaped control character U+00" + jsonHexByte(byte).substr(2) +
                                 " in a string (control characters must be written as \\u "
                                 "escapes)");
        } else if (byte < 0x80) {
            out += char(byte);
            cursor.advance();
        } else {
            const std::size_t length = utf8Length(cursor, pos);
            out.append(cursor.text().substr(pos, length));
            cursor.advance(length);
        }
    }
}

JsonWord readJsonWord(JsonCursor& cursor) {
    const std::size_t pos = cursor.pos();
    const std::string_view word = wordAt(cursor, pos);
    JsonWord result = JsonWord::Null;
    if (word == "true") {
        result = JsonWord::True;
    } else if (word == "false") {
        result = JsonWord::False;
    } else if (word != "null") {
        failJsonWord(cursor, pos, word);
    }
    cursor.advance(word.size());
    return result;
}

void failJsonWord(JsonCursor& cursor, std::size_t pos, std::string_view word) {
    const std::string quoted = "'" + std::string(word.substr(0, 40)) + "'";
    std::string lower(word.substr(word.starts_with('-') ? 1 : 0));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (lower == "nan" || lower == "infinity" || lower == "inf") {
        cursor.fail(pos,
                    quoted + " is not valid JSON: numbers must be finite (no NaN or Infinity)");
    }
    if (lower == "true" || lower == "false" || lower == "null" || lower == "none") {
        cursor.fail(pos, quoted + " is not a JSON literal; JSON spells them true, false and null");
    }
    cursor.fail(pos,
                "unexpected " + quoted + "; expected a JSON value (strings need double quotes)");
}

}  // namespace kvscope

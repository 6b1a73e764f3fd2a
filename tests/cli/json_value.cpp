#include "json_value.h"

#include <cstdlib>

namespace kvscope::test {

namespace {

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text) {}

    JsonValue parseDocument() {
        skipSpace();
        JsonValue value = parseValue(0);
        skipSpace();
        if (m_pos != m_text.size()) fail("trailing characters after the value");
        return value;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(m_pos));
    }
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++m_pos;
    }
    void skipSpace() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
            ++m_pos;
        }
    }
    void expectWord(std::string_view word) {
        if (m_text.substr(m_pos, word.size()) != word) fail("unexpected character");
        m_pos += word.size();
    }

    JsonValue parseValue(int depth) {
        if (depth > 256) fail("nesting too deep");
        JsonValue value;
        switch (peek()) {
            case '{':
                parseObject(value, depth);
                break;
            case '[':
                parseArray(value, depth);
                break;
            case '"':
                value.type = JsonValue::Type::String;
                value.string = parseString();
                break;
            case 't':
                expectWord("true");
                value.type = JsonValue::Type::Bool;
                value.boolean = true;
                break;
            case 'f':
                expectWord("false");
                value.type = JsonValue::Type::Bool;
                break;
            case 'n':
                expectWord("null");
                break;
            default:
                value.type = JsonValue::Type::Number;
                value.number = parseNumber();
        }
        return value;
    }

    void parseObject(JsonValue& value, int depth) {
        value.type = JsonValue::Type::Object;
        expect('{');
        skipSpace();
        if (peek() == '}') {
            ++m_pos;
            return;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') fail("expected a string key");
            std::string key = parseString();
            if (value.object.count(key)) fail("duplicate key '" + key + "'");
            skipSpace();
            expect(':');
            skipSpace();
            value.object.emplace(std::move(key), parseValue(depth + 1));
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            expect('}');
            return;
        }
    }

    void parseArray(JsonValue& value, int depth) {
        value.type = JsonValue::Type::Array;
        expect('[');
        skipSpace();
        if (peek() == ']') {
            ++m_pos;
            return;
        }
        while (true) {
            skipSpace();
            value.array.push_back(parseValue(depth + 1));
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            expect(']');
            return;
        }
    }

    double parseNumber() {
        const std::size_t start = m_pos;
        const auto digits = [&] {
            const std::size_t from = m_pos;
            while (!atEnd() && peek() >= '0' && peek() <= '9')
                ++m_pos;
            return m_pos - from;
        };
        if (peek() == '-') ++m_pos;
        if (peek() == '0') {
            ++m_pos;
        } else if (digits() == 0) {
            fail("expected a value");
        }
        if (peek() == '.') {
            ++m_pos;
            if (digits() == 0) fail("expected digits after '.'");
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            if (peek() == '+' || peek() == '-') ++m_pos;
            if (digits() == 0) fail("expected exponent digits");
        }
        const std::string text(m_text.substr(start, m_pos - start));
        return std::strtod(text.c_str(), nullptr);
    }

    unsigned parseHex4() {
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = peek();
            code <<= 4;
            if (c >= '0' && c <= '9')
                code |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                code |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                code |= unsigned(c - 'A' + 10);
            else
                fail("bad \\u escape");
            ++m_pos;
        }
        return code;
    }

    static void appendUtf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out += char(code);
        } else if (code < 0x800) {
            out += char(0xC0 | (code >> 6));
            out += char(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += char(0xE0 | (code >> 12));
            out += char(0x80 | ((code >> 6) & 0x3F));
            out += char(0x80 | (code & 0x3F));
        } else {
            out += char(0xF0 | (code >> 18));
            out += char(0x80 | ((code >> 12) & 0x3F));
            out += char(0x80 | ((code >> 6) & 0x3F));
            out += char(0x80 | (code & 0x3F));
        }
    }

    /// Checks one UTF-8 sequence at m_pos (strictly, as Unicode table 3-7) and copies it.
    void copyUtf8(std::string& out) {
        const auto byte = [&](std::size_t k) {
            return m_pos + k < m_text.size() ? static_cast<unsigned char>(m_text[m_pos + k]) : 0u;
        };
        const unsigned lead = byte(0);
        std::size_t n = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 3;
            if (lead == 0xE0) lo = 0xA0;
            if (lead == 0xED) hi = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 4;
            if (lead == 0xF0) lo = 0x90;
            if (lead == 0xF4) hi = 0x8F;
        } else {
            fail("invalid UTF-8 lead byte");
        }
        if (byte(1) < lo || byte(1) > hi) fail("invalid UTF-8 sequence");
        for (std::size_t k = 2; k < n; ++k) {
            if ((byte(k) & 0xC0) != 0x80) fail("invalid UTF-8 continuation");
        }
        out.append(m_text.substr(m_pos, n));
        m_pos += n;
    }

    std::string parseString() {
        expect('"');
        std::string out;
        while (true) {
            if (atEnd()) fail("unterminated string");
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++m_pos;
                return out;
            }
            if (c < 0x20) fail("raw control character in a string");
            if (c >= 0x80) {
                copyUtf8(out);
                continue;
            }
            ++m_pos;
            if (c != '\\') {
                out += char(c);
                continue;
            }
            const char e = peek();
            ++m_pos;
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned code = parseHex4();
                    if (code >= 0xD800 && code <= 0xDBFF) {
                        expectWord("\\u");
                        const unsigned low = parseHex4();
                        if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate");
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    } else if (code >= 0xDC00 && code <= 0xDFFF) {
                        fail("unpaired surrogate");
                    }
                    appendUtf8(out, code);
                    break;
                }
                default:
                    fail("bad escape");
            }
        }
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

}  // namespace

const JsonValue& JsonValue::operator[](const std::string& key) const {
    if (type != Type::Object) throw std::out_of_range("JSON: not an object, looking for " + key);
    const auto it = object.find(key);
    if (it == object.end()) throw std::out_of_range("JSON: no key '" + key + "'");
    return it->second;
}

const JsonValue& JsonValue::operator[](std::size_t index) const {
    if (type != Type::Array || index >= array.size()) {
        throw std::out_of_range("JSON: no array element " + std::to_string(index));
    }
    return array[index];
}

JsonValue parseJson(std::string_view text) {
    return Parser(text).parseDocument();
}

}  // namespace kvscope::test

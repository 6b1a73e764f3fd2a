#include "core/util/json_writer.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace kvscope {

namespace {

constexpr std::string_view kReplacement = "\\ufffd";  // U+FFFD REPLACEMENT CHARACTER

bool isContinuation(unsigned char byte) {
    return (byte & 0xC0) == 0x80;
}

/// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when it is ill-formed.
/// `consumed` is set to the length of the maximal ill-formed subpart to replace (>= 1).
/// Well-formed per Unicode table 3-7: no overlongs, no surrogates, nothing above U+10FFFF.
std::size_t utf8SequenceLength(std::string_view text, std::size_t i, std::size_t& consumed) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    unsigned char second_min = 0x80, second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_min = 0xA0;  // overlong
        if (lead == 0xED) second_max = 0x9F;  // surrogates D800..DFFF
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_min = 0x90;  // overlong
        if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
    } else {
        consumed = 1;  // a stray continuation byte, C0/C1, or F5..FF
        return 0;
    }
    for (std::size_t k = 1; k < length; ++k) {
        const bool ok =
            i + k < text.size() && (k == 1 ? byte(i + 1) >= second_min && byte(i + 1) <= second_max
                                           : isContinuation(byte(i + k)));
        if (!ok) {
            consumed = k;
            return 0;
        }
    }
    consumed = length;
    return length;
}

void appendControlEscape(std::string& out, unsigned char c) {
    switch (c) {
        case '\b':
            out += "\\b";
            return;
        case '\f':
            out += "\\f";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        default:
            break;
    }
    constexpr char kHex[] = "0123456789abcdef";
    out += "\\u00";
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
}

template <class Float>
void appendFloating(std::string& out, Float number) {
    if (!std::isfinite(number)) {
        out += "null";
        return;
    }
    char buffer[64];
    // No precision argument: the shortest representation that parses back to `number`.
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    if (result.ec != std::errc()) throw std::logic_error("JsonWriter: number formatting failed");
    out.append(buffer, result.ptr);
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
    out += '"';
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c == '"')
                out += "\\\"";
            else if (c == '\\')
                out += "\\\\";
            else if (c < 0x20 || c == 0x7F)
                appendControlEscape(out, c);
            else
                out += char(c);
            ++i;
            continue;
        }
        std::size_t consumed = 0;
        const std::size_t length = utf8SequenceLength(text, i, consumed);
        if (length > 0)
            out.append(text.substr(i, length));
        else
            out += kReplacement;
        i += consumed;
    }
    out += '"';
}

void appendJsonNumber(std::string& out, double number) {
    appendFloating(out, number);
}
void appendJsonNumber(std::string& out, float number) {
    appendFloating(out, number);
}

void JsonWriter::writeRaw(std::string_view text) {
    m_out.write(text.data(), std::streamsize(text.size()));
}

void JsonWriter::beforeValue() {
    if (m_stack.empty()) {
        if (m_top_written) throw std::logic_error("JsonWriter: a second top-level value");
        m_top_written = true;
        return;
    }
    if (m_stack.back() == Frame::Object) {
        if (!m_key_pending) throw std::logic_error("JsonWriter: a value in an object needs a key");
        m_key_pending = false;
        return;
    }
    if (m_has_items.back()) writeRaw(",");
    m_has_items.back() = true;
}

JsonWriter& JsonWriter::beginObject() {
    beforeValue();
    writeRaw("{");
    m_stack.push_back(Frame::Object);
    m_has_items.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::endObject() {
    if (m_stack.empty() || m_stack.back() != Frame::Object) {
        throw std::logic_error("JsonWriter: endObject() without an open object");
    }
    if (m_key_pending) throw std::logic_error("JsonWriter: endObject() after a key with no value");
    writeRaw("}");
    m_stack.pop_back();
    m_has_items.pop_back();
    return *this;
}

JsonWriter& JsonWriter::beginArray() {
    beforeValue();
    writeRaw("[");
    m_stack.push_back(Frame::Array);
    m_has_items.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::endArray() {
    if (m_stack.empty() || m_stack.back() != Frame::Array) {
        throw std::logic_error("JsonWriter: endArray() without an open array");
    }
    writeRaw("]");
    m_stack.pop_back();
    m_has_items.pop_back();
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    if (m_stack.empty() || m_stack.back() != Frame::Object) {
        throw std::logic_error("JsonWriter: key() outside an object");
    }
    if (m_key_pending) throw std::logic_error("JsonWriter: two keys in a row");
    if (m_has_items.back()) writeRaw(",");
    m_has_items.back() = true;
    m_scratch.clear();
    appendJsonString(m_scratch, name);
    m_scratch += ':';
    writeRaw(m_scratch);
    m_key_pending = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    beforeValue();
    m_scratch.clear();
    appendJsonString(m_scratch, text);
    writeRaw(m_scratch);
    return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
    beforeValue();
    writeRaw(flag ? "true" : "false");
    return *this;
}

JsonWriter& JsonWriter::value(double number) {
    beforeValue();
    m_scratch.clear();
    appendJsonNumber(m_scratch, number);
    writeRaw(m_scratch);
    return *this;
}

JsonWriter& JsonWriter::value(float number) {
    beforeValue();
    m_scratch.clear();
    appendJsonNumber(m_scratch, number);
    writeRaw(m_scratch);
    return *this;
}

JsonWriter& JsonWriter::writeInteger(std::int64_t number) {
    beforeValue();
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    writeRaw(std::string_view(buffer, std::size_t(result.ptr - buffer)));
    return *this;
}

JsonWriter& JsonWriter::writeUnsigned(std::uint64_t number) {
    beforeValue();
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    writeRaw(std::string_view(buffer, std::size_t(result.ptr - buffer)));
    return *this;
}

JsonWriter& JsonWriter::null() {
    beforeValue();
    writeRaw("null");
    return *this;
}

}  // namespace kvscope

// The structure of JSON text: values, arrays and objects (see json_value.h for what parseJson()
// accepts and rejects; the literals are read in json_literals.cpp and json_number_literal.cpp).
// Recursive descent; the depth limit is checked before each recursion, so the stack stays bounded.
//
// The document is built in place: a first pass (json_prescan.h) counts every container's items
// or members, so when the parser opens a container it takes that many slots at the end of the
// document's values (or members) and fills them as it reads; nested containers take theirs after.
// Every value is written once, where it stays.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "core/util/check.h"
#include "core/util/error.h"
#include "core/util/file_size.h"
#include "core/util/json_cursor.h"
#include "core/util/json_document.h"
#include "core/util/json_literals.h"
#include "core/util/json_prescan.h"
#include "core/util/json_value.h"
#include "core/util/json_writer.h"

namespace kvscope {

namespace {

std::string quotedKey(std::string_view key) {
    std::string out;
    appendJsonString(out, key);
    return out;
}

/// Refuses a text whose byte offsets would not fit the 32 bits a value keeps.
void checkTextSize(std::size_t size, std::string_view source) {
    if (std::uint64_t(size) <= std::uint64_t(kMaxJsonTextBytes)) return;
    throw InputError("JSON " + std::string(source) + ": the text is " + std::to_string(size) +
                     " bytes, more than the " + std::to_string(kMaxJsonTextBytes) +
                     " bytes this reader takes");
}

}  // namespace

class JsonParser {
public:
    JsonParser(JsonDocument& document, const JsonLimits& limits)
        : m_doc(document), m_cursor(document.text, document.source), m_limits(limits) {}

    void parseDocument() {
        const JsonPrescan scan = prescanJson(m_doc.text, m_limits.max_depth);
        m_counts = scan.counts;
        m_doc.values.reserve(scan.n_items);
        m_doc.members.reserve(scan.n_members);
        m_doc.key_order.reserve(scan.n_members);
        m_doc.strings.reserve(scan.n_strings);
        m_cursor.skipByteOrderMark();
        m_cursor.skipWhitespace();
        if (m_cursor.atEnd()) m_cursor.fail(m_cursor.pos(), "empty input; expected a JSON value");
        m_doc.root = parseValue(0);
        m_cursor.skipWhitespace();
        if (!m_cursor.atEnd()) {
            failHere("unexpected " + m_cursor.describeAt(m_cursor.pos()) +
                     " after the JSON value (a document holds exactly one value)");
        }
    }

private:
    [[noreturn]] void failHere(const std::string& what) { m_cursor.fail(m_cursor.pos(), what); }

    /// Consumes `c` when it is next.
    bool accept(char c) {
        if (m_cursor.peek() != c) return false;
        m_cursor.advance();
        return true;
    }

    /// `depth`: arrays and objects around the value.
    JsonValue parseValue(std::int64_t depth) {
        JsonValue value;
        value.m_doc = &m_doc;
        value.m_offset = std::uint32_t(m_cursor.pos());
        const char c = m_cursor.peek();
        if (c == '{' || c == '[') {
            if (depth + 1 > m_limits.max_depth) {
                failHere("arrays and objects nest deeper than " +
                         std::to_string(m_limits.max_depth) + " levels");
            }
            if (c == '{') {
                parseObject(value, depth + 1);
            } else {
                parseArray(value, depth + 1);
            }
        } else if (c == '"') {
            value.m_kind = std::uint8_t(JsonValue::Kind::String);
            value.m_payload.string = m_doc.strings.size();
            m_doc.strings.push_back(readJsonString(m_cursor));
        } else if (c == '-' || isJsonDigit(c)) {
            const JsonNumber number = readJsonNumber(m_cursor);
            value.m_kind = std::uint8_t(JsonValue::Kind::Number);
            if (number.integral) value.m_flags |= JsonValue::kIntegral;
            if (number.negative) value.m_flags |= JsonValue::kNegative;
            if (number.is_integer) {
                value.m_flags |= JsonValue::kIsInteger;
                value.m_payload.integer = number.integer;
            } else {
                value.m_payload.number = number.value;
            }
        } else if (isJsonWordChar(c)) {
            const JsonWord word = readJsonWord(m_cursor);
            if (word != JsonWord::Null) {
                value.m_kind = std::uint8_t(JsonValue::Kind::Bool);
                value.m_payload.boolean = word == JsonWord::True;
            }
        } else {
            failNoValue();
        }
        return value;
    }

    [[noreturn]] void failNoValue() {
        switch (m_cursor.peek()) {
            case '\'':
                failHere("single quotes are not JSON; strings use double quotes");
            case '/':
                failHere("comments are not allowed in JSON");
            case '.':
                failHere("a number must start with a digit (write 0.5, not .5)");
            case '+':
                failHere("a number must not start with '+'");
            default:
                break;
        }
        if (m_cursor.atEnd()) failHere("unexpected end of input; expected a JSON value");
        failHere("unexpected " + m_cursor.describeAt(m_cursor.pos()) + "; expected a JSON value");
    }

    /// The number of items or members the prescan counted for the next container to open.
    std::uint32_t nextCount() {
        KVSCOPE_EXPECTS(m_next_container < m_counts.size());
        return m_counts[m_next_container++];
    }

    void parseArray(JsonValue& array, std::int64_t depth) {
        array.m_kind = std::uint8_t(JsonValue::Kind::Array);
        const std::uint32_t capacity = nextCount();
        const std::size_t first = m_doc.values.size();
        m_doc.values.resize(first + capacity);
        std::uint32_t count = 0;
        m_cursor.advance();  // '['
        m_cursor.skipWhitespace();
        if (!accept(']')) {
            while (true) {
                KVSCOPE_EXPECTS(count < capacity);   // the prescan counted every item read
                JsonValue item = parseValue(depth);  // may add values: no reference held across
                m_doc.values[first + count] = std::move(item);
                ++count;
                m_cursor.skipWhitespace();
                if (accept(']')) break;
                if (!accept(',')) {
                    failHere("expected ',' or ']' after an array item, got " +
                             m_cursor.describeAt(m_cursor.pos()));
                }
                m_cursor.skipWhitespace();
                if (m_cursor.peek() == ']') failHere("trailing comma before ']'");
            }
        }
        KVSCOPE_EXPECTS(count == capacity);
        array.m_payload.range = {std::uint32_t(first), count};
    }

    void parseObject(JsonValue& object, std::int64_t depth) {
        object.m_kind = std::uint8_t(JsonValue::Kind::Object);
        const std::uint32_t capacity = nextCount();
        const std::size_t first = m_doc.members.size();
        m_doc.members.resize(first + capacity);
        m_doc.key_order.resize(first + capacity);
        const std::size_t keys_base = m_key_offsets.size();
        std::uint32_t count = 0;
        m_cursor.advance();  // '{'
        m_cursor.skipWhitespace();
        if (!accept('}')) {
            while (true) {
                if (m_cursor.peek() != '"') {
                    if (m_cursor.peek() == '}') failHere("trailing comma before '}'");
                    failHere("expected an object key in double quotes, got " +
                             m_cursor.describeAt(m_cursor.pos()));
                }
                KVSCOPE_EXPECTS(count < capacity);  // the prescan counted every member read
                m_key_offsets.push_back(m_cursor.pos());
                JsonMember& member = m_doc.members[first + count];
                member.key = readJsonString(m_cursor);
                m_cursor.skipWhitespace();
                if (!accept(':')) {
                    failHere("expected ':' after the key " + quotedKey(member.key) + ", got " +
                             m_cursor.describeAt(m_cursor.pos()));
                }
                m_cursor.skipWhitespace();
                // No reference into members across the recursion: it may add members.
                JsonValue value = parseValue(depth);
                m_doc.members[first + count].value = std::move(value);
                ++count;
                m_cursor.skipWhitespace();
                if (accept('}')) break;
                if (!accept(',')) {
                    failHere("expected ',' or '}' after an object member, got " +
                             m_cursor.describeAt(m_cursor.pos()));
                }
                m_cursor.skipWhitespace();
            }
        }
        KVSCOPE_EXPECTS(count == capacity);
        indexKeys(first, count, keys_base);
        m_key_offsets.resize(keys_base);
        object.m_payload.range = {std::uint32_t(first), count};
    }

    /// Sorts the object's member indices by key for find(), and rejects duplicate keys.
    void indexKeys(std::size_t first, std::uint32_t count, std::size_t keys_base) {
        const JsonMember* members = m_doc.members.data() + first;
        std::uint32_t* order = m_doc.key_order.data() + first;
        for (std::uint32_t i = 0; i < count; ++i)
            order[i] = i;
        std::stable_sort(order, order + count, [&](std::uint32_t a, std::uint32_t b) {
            return members[a].key < members[b].key;
        });
        for (std::uint32_t k = 1; k < count; ++k) {
            const std::uint32_t was = order[k - 1], second = order[k];
            if (members[was].key != members[second].key) continue;
            const JsonTextPosition at = m_cursor.positionOf(m_key_offsets[keys_base + was]);
            m_cursor.fail(m_key_offsets[keys_base + second],
                          "duplicate key " + quotedKey(members[second].key) + " (first at line " +
                              std::to_string(at.line) + ", column " + std::to_string(at.column) +
                              ")");
        }
    }

    JsonDocument& m_doc;
    JsonCursor m_cursor;
    JsonLimits m_limits;
    std::vector<std::uint32_t> m_counts;     // from the prescan, per container in opening order
    std::size_t m_next_container = 0;        // index into m_counts
    std::vector<std::size_t> m_key_offsets;  // where each key of the open objects starts
};

JsonValue parseJsonText(std::string text, std::string_view source, const JsonLimits& limits) {
    checkTextSize(text.size(), source);
    auto document = std::make_unique<JsonDocument>();
    document->text = std::move(text);
    document->source = std::string(source);
    JsonParser(*document, limits).parseDocument();
    JsonValue root = document->root;  // a copy: it holds the document
    document.release();               // owned by its values from here on
    return root;
}

JsonValue parseJson(std::string_view text, std::string_view source, const JsonLimits& limits) {
    checkTextSize(text.size(), source);
    return parseJsonText(std::string(text), source, limits);
}

JsonValue parseJsonFile(const std::string& path, std::int64_t max_bytes, const JsonLimits& limits) {
    const auto fail = [&](const std::string& what) {
        throw InputError("JSON " + path + ": " + what);
    };
    const std::int64_t size = regularFileSize("JSON", path);
    if (max_bytes < 0 || size > max_bytes) {
        fail("the file is " + std::to_string(size) + " bytes, more than the limit of " +
             std::to_string(max_bytes) + " bytes for this kind of file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(std::string("cannot open (") + std::strerror(errno) + ")");
    std::string text(std::size_t(size), '\0');
    in.read(text.data(), std::streamsize(size));
    if (in.gcount() != std::streamsize(size)) {
        fail("read failed (did the file change while reading?)");
    }
    return parseJsonText(std::move(text), path, limits);
}

}  // namespace kvscope

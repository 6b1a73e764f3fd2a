// The structure of JSON text: values, arrays and objects (see json_value.h for what parseJson()
// accepts and rejects; the literals are read in json_literals.cpp and json_number_literal.cpp).
// Recursive descent; the depth limit is checked before each recursion, so the stack stays bounded.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "core/util/error.h"
#include "core/util/file_size.h"
#include "core/util/json_cursor.h"
#include "core/util/json_literals.h"
#include "core/util/json_value.h"
#include "core/util/json_writer.h"

namespace kvscope {

namespace {

std::string quotedKey(std::string_view key) {
    std::string out;
    appendJsonString(out, key);
    return out;
}

/// JSONPath of a member: $.name for identifier-like keys, $["odd key"] otherwise.
std::string memberPath(const std::string& parent, const std::string& key) {
    const bool plain =
        !key.empty() && !isJsonDigit(key[0]) && std::all_of(key.begin(), key.end(), isJsonWordChar);
    if (plain) return parent + "." + key;
    return parent + "[" + quotedKey(key) + "]";
}

}  // namespace

class JsonParser {
public:
    JsonParser(std::string_view text, std::string_view source, const JsonLimits& limits)
        : m_cursor(text, source), m_limits(limits) {}

    JsonValue parseDocument() {
        m_cursor.skipByteOrderMark();
        m_cursor.skipWhitespace();
        if (m_cursor.atEnd()) m_cursor.fail(m_cursor.pos(), "empty input; expected a JSON value");
        JsonValue root = parseValue("$", 0);
        m_cursor.skipWhitespace();
        if (!m_cursor.atEnd()) {
            failHere("unexpected " + m_cursor.describeAt(m_cursor.pos()) +
                     " after the JSON value (a document holds exactly one value)");
        }
        return root;
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
    JsonValue parseValue(std::string path, std::int64_t depth) {
        JsonValue value;
        const JsonTextPosition at = m_cursor.positionOf(m_cursor.pos());
        value.m_path = std::move(path);
        value.m_source = m_cursor.source();
        value.m_line = at.line;
        value.m_column = at.column;
        const char c = m_cursor.peek();
        if (c == '{' || c == '[') {
            if (depth + 1 > m_limits.max_depth) {
                failHere("arrays and objects nest deeper than " +
                         std::to_string(m_limits.max_depth) + " levels");
            }
            if (c == '{') {
                value.m_data = parseObject(value.m_path, depth + 1);
            } else {
                value.m_data = parseArray(value.m_path, depth + 1);
            }
        } else if (c == '"') {
            value.m_data = readJsonString(m_cursor);
        } else if (c == '-' || isJsonDigit(c)) {
            value.m_data = readJsonNumber(m_cursor);
        } else if (isJsonWordChar(c)) {
            const JsonWord word = readJsonWord(m_cursor);
            if (word != JsonWord::Null) value.m_data = word == JsonWord::True;
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

    std::vector<JsonValue> parseArray(const std::string& path, std::int64_t depth) {
        std::vector<JsonValue> items;
        m_cursor.advance();  // '['
        m_cursor.skipWhitespace();
        if (accept(']')) return items;
        while (true) {
            items.push_back(parseValue(path + "[" + std::to_string(items.size()) + "]", depth));
            m_cursor.skipWhitespace();
            if (accept(']')) return items;
            if (!accept(',')) {
                failHere("expected ',' or ']' after an array item, got " +
                         m_cursor.describeAt(m_cursor.pos()));
            }
            m_cursor.skipWhitespace();
            if (m_cursor.peek() == ']') failHere("trailing comma before ']'");
        }
    }

    JsonValue::Object parseObject(const std::string& path, std::int64_t depth) {
        JsonValue::Object object;
        std::vector<JsonTextPosition> key_positions;  // [members]
        m_cursor.advance();                           // '{'
        m_cursor.skipWhitespace();
        if (accept('}')) return object;
        while (true) {
            if (m_cursor.peek() != '"') {
                if (m_cursor.peek() == '}') failHere("trailing comma before '}'");
                failHere("expected an object key in double quotes, got " +
                         m_cursor.describeAt(m_cursor.pos()));
            }
            key_positions.push_back(m_cursor.positionOf(m_cursor.pos()));
            std::string key = readJsonString(m_cursor);
            m_cursor.skipWhitespace();
            if (!accept(':')) {
                failHere("expected ':' after the key " + quotedKey(key) + ", got " +
                         m_cursor.describeAt(m_cursor.pos()));
            }
            m_cursor.skipWhitespace();
            JsonValue value = parseValue(memberPath(path, key), depth);
            object.members.push_back({std::move(key), std::move(value)});
            m_cursor.skipWhitespace();
            if (accept('}')) break;
            if (!accept(',')) {
                failHere("expected ',' or '}' after an object member, got " +
                         m_cursor.describeAt(m_cursor.pos()));
            }
            m_cursor.skipWhitespace();
        }
        indexKeys(object, key_positions);
        return object;
    }

    /// Sorts member indices by key for find(), and rejects duplicate keys.
    void indexKeys(JsonValue::Object& object, const std::vector<JsonTextPosition>& key_positions) {
        const std::vector<JsonMember>& members = object.members;
        object.by_key.resize(members.size());
        for (std::size_t i = 0; i < members.size(); ++i)
            object.by_key[i] = i;
        std::stable_sort(
            object.by_key.begin(), object.by_key.end(),
            [&](std::size_t a, std::size_t b) { return members[a].key < members[b].key; });
        for (std::size_t k = 1; k < object.by_key.size(); ++k) {
            const std::size_t first = object.by_key[k - 1], second = object.by_key[k];
            if (members[first].key != members[second].key) continue;
            const JsonTextPosition was = key_positions[first];
            m_cursor.failAt(key_positions[second],
                            "duplicate key " + quotedKey(members[second].key) + " (first at line " +
                                std::to_string(was.line) + ", column " +
                                std::to_string(was.column) + ")");
        }
    }

    JsonCursor m_cursor;
    JsonLimits m_limits;
};

JsonValue parseJson(std::string_view text, std::string_view source, const JsonLimits& limits) {
    return JsonParser(text, source, limits).parseDocument();
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
    return parseJson(text, path, limits);
}

}  // namespace kvscope

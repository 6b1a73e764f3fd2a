#include "core/util/json_value.h"

#include <algorithm>

#include "core/util/error.h"
#include "core/util/json_writer.h"

namespace kvscope {

namespace {

constexpr std::size_t kMaxQuotedChars = 40;  // strings longer than this are cut in messages

std::string quoteForMessage(const std::string& text) {
    std::string out;
    if (text.size() <= kMaxQuotedChars) {
        appendJsonString(out, text);
        return out;
    }
    // Cut on a character boundary; appendJsonString would replace a cut sequence anyway.
    std::size_t cut = kMaxQuotedChars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    appendJsonString(out, std::string_view(text).substr(0, cut));
    out.insert(out.size() - 1, "...");
    return out;
}

}  // namespace

std::string_view toString(JsonValue::Kind kind) {
    switch (kind) {
        case JsonValue::Kind::Null:
            return "null";
        case JsonValue::Kind::Bool:
            return "a boolean";
        case JsonValue::Kind::Number:
            return "a number";
        case JsonValue::Kind::String:
            return "a string";
        case JsonValue::Kind::Array:
            return "an array";
        case JsonValue::Kind::Object:
            return "an object";
    }
    return "?";
}

std::string_view JsonValue::source() const {
    return m_source ? std::string_view(*m_source) : std::string_view("<built in code>");
}

void JsonValue::fail(std::string_view what) const {
    std::string message = "JSON " + std::string(source()) + ": " + m_path;
    if (m_line > 0) {
        message +=
            " (line " + std::to_string(m_line) + ", column " + std::to_string(m_column) + ")";
    }
    message += ": ";
    message += what;
    throw InputError(message);
}

void JsonValue::failKind(std::string_view expected) const {
    fail("expected " + std::string(expected) + ", got " + describe());
}

std::string JsonValue::describe() const {
    switch (kind()) {
        case Kind::Null:
            return "null";
        case Kind::Bool:
            return std::get<bool>(m_data) ? "true" : "false";
        case Kind::Number: {
            const std::string& literal = std::get<Number>(m_data).literal;
            if (literal.size() <= kMaxQuotedChars) return "the number " + literal;
            return "the number " + literal.substr(0, kMaxQuotedChars) + "...";
        }
        case Kind::String:
            return "the string " + quoteForMessage(std::get<std::string>(m_data));
        case Kind::Array:
            return "an array of " + std::to_string(size()) + " items";
        case Kind::Object:
            return "an object with " + std::to_string(size()) + " members";
    }
    return "?";
}

bool JsonValue::asBool() const {
    if (!isBool()) failKind("true or false");
    return std::get<bool>(m_data);
}

double JsonValue::asDouble() const {
    if (!isNumber()) failKind("a number");
    return std::get<Number>(m_data).value;
}

bool JsonValue::isInteger() const {
    return isNumber() && std::get<Number>(m_data).is_integer;
}

std::int64_t JsonValue::asInt64() const {
    if (!isNumber()) failKind("an integer");
    const Number& number = std::get<Number>(m_data);
    if (number.is_integer) return number.integer;
    if (!number.integral) failKind("an integer");
    fail(describe() +
         " is outside the 64-bit integer range [-9223372036854775808, 9223372036854775807]");
}

const std::string& JsonValue::asString() const {
    if (!isString()) failKind("a string");
    return std::get<std::string>(m_data);
}

const std::vector<JsonValue>& JsonValue::items() const {
    if (!isArray()) failKind("an array");
    return std::get<std::vector<JsonValue>>(m_data);
}

const std::vector<JsonMember>& JsonValue::members() const {
    if (!isObject()) failKind("an object");
    return std::get<Object>(m_data).members;
}

std::size_t JsonValue::size() const {
    if (isArray()) return std::get<std::vector<JsonValue>>(m_data).size();
    if (isObject()) return std::get<Object>(m_data).members.size();
    failKind("an array or an object");
}

const JsonValue* JsonValue::find(std::string_view key) const {
    if (!isObject()) failKind("an object");
    const Object& object = std::get<Object>(m_data);
    const auto it = std::lower_bound(
        object.by_key.begin(), object.by_key.end(), key,
        [&](std::size_t index, std::string_view k) { return object.members[index].key < k; });
    if (it == object.by_key.end() || object.members[*it].key != key) return nullptr;
    return &object.members[*it].value;
}

const JsonValue& JsonValue::at(std::string_view key) const {
    const JsonValue* value = find(key);
    if (!value) {
        std::string quoted;
        appendJsonString(quoted, key);
        fail("missing key " + quoted);
    }
    return *value;
}

const JsonValue& JsonValue::at(std::size_t index) const {
    const std::vector<JsonValue>& array = items();
    if (index >= array.size()) {
        fail("index " + std::to_string(index) + " is out of range (the array has " +
             std::to_string(array.size()) + " items)");
    }
    return array[index];
}

void checkKnownKeys(const JsonValue& object, std::initializer_list<std::string_view> known) {
    for (const JsonMember& member : object.members()) {
        if (std::find(known.begin(), known.end(), member.key) != known.end()) continue;
        std::string list;
        for (std::string_view name : known)
            list += (list.empty() ? "" : ", ") + std::string(name);
        member.value.fail("unknown key \"" + member.key + "\" (expected one of: " + list + ")");
    }
}

std::int64_t checkDocumentVersion(const JsonValue& root, std::string_view key,
                                  std::int64_t supported, std::string_view what) {
    const std::string name(what);
    if (!root.isObject())
        root.fail("expected a KVScope " + name + " (a JSON object), got " + root.describe());
    const JsonValue* version = root.find(key);
    if (!version)
        root.fail("not a KVScope " + name + ": the key \"" + std::string(key) + "\" is missing");
    const std::int64_t number = version->asInt64();
    if (number > supported)
        version->fail(name + " version " + std::to_string(number) +
                      " is newer than this KVScope reads (" + std::to_string(supported) +
                      "); update KVScope to open it");
    if (number < 1) version->fail(name + " version must be >= 1, got " + std::to_string(number));
    return number;
}

}  // namespace kvscope

#include "core/util/json_value.h"

#include <algorithm>

#include "core/util/error.h"
#include "core/util/json_document.h"
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

// The document's memory per value (json_value.h): keep it at 24 bytes.
static_assert(sizeof(JsonValue) == 24);

JsonValue::JsonValue(const JsonValue& other) noexcept
    : m_doc(other.m_doc),
      m_offset(other.m_offset),
      m_kind(other.m_kind),
      m_flags(std::uint8_t(other.m_flags & ~kOwner)),
      m_payload(other.m_payload) {
    retain();
}

JsonValue::JsonValue(JsonValue&& other) noexcept
    : m_doc(other.m_doc),
      m_offset(other.m_offset),
      m_kind(other.m_kind),
      m_flags(other.m_flags),
      m_payload(other.m_payload) {
    // A value of the document moved inside it stays a plain value; an owner hands its
    // reference over. The moved-from value is null.
    other.m_doc = nullptr;
    other.m_kind = std::uint8_t(Kind::Null);
    other.m_flags = 0;
}

JsonValue& JsonValue::operator=(const JsonValue& other) noexcept {
    if (this != &other) *this = JsonValue(other);
    return *this;
}

JsonValue& JsonValue::operator=(JsonValue&& other) noexcept {
    if (this == &other) return *this;
    if (m_flags & kOwner) release();
    m_doc = other.m_doc;
    m_offset = other.m_offset;
    m_kind = other.m_kind;
    m_flags = other.m_flags;
    m_payload = other.m_payload;
    other.m_doc = nullptr;
    other.m_kind = std::uint8_t(Kind::Null);
    other.m_flags = 0;
    return *this;
}

void JsonValue::retain() noexcept {
    if (m_doc == nullptr) return;
    m_doc->references.fetch_add(1, std::memory_order_relaxed);
    m_flags |= kOwner;
}

void JsonValue::release() const noexcept {
    if (m_doc->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete m_doc;
}

std::string_view JsonValue::source() const {
    return m_doc ? std::string_view(m_doc->source) : std::string_view("<built in code>");
}

std::string JsonValue::path() const {
    return m_doc ? m_doc->pathOf(m_offset) : "$";
}

std::int64_t JsonValue::line() const {
    return m_doc ? jsonTextPosition(m_doc->text, m_offset).line : 0;
}

std::int64_t JsonValue::column() const {
    return m_doc ? jsonTextPosition(m_doc->text, m_offset).column : 0;
}

void JsonValue::fail(std::string_view what) const {
    std::string message = "JSON " + std::string(source()) + ": " + path();
    if (m_doc) {
        const JsonTextPosition at = jsonTextPosition(m_doc->text, m_offset);
        message +=
            " (line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ")";
    }
    message += ": ";
    message += what;
    throw InputError(message);
}

void JsonValue::failKind(std::string_view expected) const {
    fail("expected " + std::string(expected) + ", got " + describe());
}

std::string_view JsonValue::literal() const {
    if (!m_doc) return "0";
    const std::string_view text = m_doc->text;
    std::size_t end = m_offset;
    while (end < text.size() &&
           std::string_view("+-.eE0123456789").find(text[end]) != std::string_view::npos)
        ++end;
    return text.substr(m_offset, end - m_offset);
}

std::string JsonValue::describe() const {
    switch (kind()) {
        case Kind::Null:
            return "null";
        case Kind::Bool:
            return m_payload.boolean ? "true" : "false";
        case Kind::Number: {
            const std::string_view text = literal();
            if (text.size() <= kMaxQuotedChars) return "the number " + std::string(text);
            return "the number " + std::string(text.substr(0, kMaxQuotedChars)) + "...";
        }
        case Kind::String:
            return "the string " + quoteForMessage(asString());
        case Kind::Array:
            return "an array of " + std::to_string(size()) + " items";
        case Kind::Object:
            return "an object with " + std::to_string(size()) + " members";
    }
    return "?";
}

bool JsonValue::asBool() const {
    if (!isBool()) failKind("true or false");
    return m_payload.boolean;
}

double JsonValue::asDouble() const {
    if (!isNumber()) failKind("a number");
    if (!(m_flags & kIsInteger)) return m_payload.number;
    // The nearest double to the exact integer, as from_chars gives it; -0 keeps its sign.
    if (m_payload.integer == 0 && (m_flags & kNegative)) return -0.0;
    return double(m_payload.integer);
}

std::int64_t JsonValue::asInt64() const {
    if (!isNumber()) failKind("an integer");
    if (m_flags & kIsInteger) return m_payload.integer;
    if (!(m_flags & kIntegral)) failKind("an integer");
    fail(describe() +
         " is outside the 64-bit integer range [-9223372036854775808, 9223372036854775807]");
}

const std::string& JsonValue::asString() const {
    if (!isString()) failKind("a string");
    return m_doc->strings[m_payload.string];
}

JsonItems JsonValue::items() const {
    if (!isArray()) failKind("an array");
    if (m_payload.range.count == 0) return {};
    return {m_doc->values.data() + m_payload.range.first, m_payload.range.count};
}

JsonMembers JsonValue::members() const {
    if (!isObject()) failKind("an object");
    if (m_payload.range.count == 0) return {};
    return {m_doc->members.data() + m_payload.range.first, m_payload.range.count};
}

std::size_t JsonValue::size() const {
    if (isArray() || isObject()) return m_payload.range.count;
    failKind("an array or an object");
}

const JsonValue* JsonValue::find(std::string_view key) const {
    const JsonMembers all = members();
    if (all.empty()) return nullptr;
    const std::uint32_t* order = m_doc->key_order.data() + m_payload.range.first;
    const std::uint32_t* end = order + all.size();
    const auto it = std::lower_bound(order, end, key, [&](std::uint32_t index, std::string_view k) {
        return all[index].key < k;
    });
    if (it == end || all[*it].key != key) return nullptr;
    return &all[*it].value;
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
    const JsonItems array = items();
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

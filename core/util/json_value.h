#pragma once
// A strict RFC 8259 JSON reader into a small document tree.
//
// parseJson() accepts exactly one JSON value surrounded by optional whitespace (a leading UTF-8
// byte order mark is skipped, as RFC 8259 section 8.1 allows). Everything else is an InputError
// "JSON <source>: line L, column C: <what>": trailing commas, comments, single quotes, NaN and
// Infinity, leading zeros ("01"), "1.", ".5", "-", "1e", unescaped control characters, bad escapes,
// lone UTF-16 surrogates in \u escapes, ill-formed UTF-8 (overlongs, encoded surrogates, code
// points above U+10FFFF, truncated sequences), duplicate object keys, nesting deeper than
// JsonLimits::max_depth (checked before recursing, so a depth bomb cannot overflow the stack),
// numbers whose magnitude overflows a double (1e999; underflow rounds to 0 as IEEE 754 does) and
// anything after the value. Lines count from 1; columns count characters (code points) from 1.
//
// Every value knows where it came from: its JSON path ("$.layers[3].name"), its line and column,
// and the source name. The typed accessors (asInt64(), at(), ...) throw InputError
// "JSON <source>: $.path (line L, column C): <what>" when the document does not have the expected
// shape, so callers can read a document without writing their own messages.
//
// Memory follows the text: a document keeps its text, 24 bytes per value (a byte offset into the
// text, the kind, and the number, or where the items, members or string are), a std::string per
// string value and per key (heap only beyond 15 bytes) and 4 bytes per member for key lookup;
// nothing grows or is copied while parsing. A value's path, line and column are not stored: they
// are found from its byte offset when asked for (path(), line(), fail()), which only happens for
// messages. Texts are limited to kMaxJsonTextBytes (32-bit offsets); callers limit files further.
//
// Values live in their document. A copy of a value (parseJson()'s result included) keeps the
// whole document alive, so a copied value may outlive the value it was copied from; a reference
// (at(), items(), members(), find()) is valid while a value of the document is.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "core/util/error.h"

namespace kvscope {

struct JsonMember;
struct JsonDocument;

/// A contiguous run of items or members of one array or object: a span with at() and front().
template <class T>
class JsonSpan {
public:
    JsonSpan() = default;
    JsonSpan(const T* data, std::size_t size) : m_data(data), m_size(size) {}

    const T* begin() const { return m_data; }
    const T* end() const { return m_data + m_size; }
    const T* data() const { return m_data; }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    const T& operator[](std::size_t index) const { return m_data[index]; }
    /// Throws std::out_of_range (an internal failure: callers check sizes) past the end.
    const T& at(std::size_t index) const {
        if (index >= m_size) throw std::out_of_range("JsonSpan::at: index out of range");
        return m_data[index];
    }
    const T& front() const { return at(0); }
    const T& back() const { return at(m_size - 1); }

private:
    const T* m_data = nullptr;
    std::size_t m_size = 0;
};

class JsonValue;
using JsonItems = JsonSpan<JsonValue>;
using JsonMembers = JsonSpan<JsonMember>;

class JsonValue {
public:
    enum class Kind { Null, Bool, Number, String, Array, Object };

    /// A null value at path "$" with no source position.
    JsonValue() = default;
    /// Copies share the document (see the top of this file).
    JsonValue(const JsonValue& other) noexcept;
    JsonValue(JsonValue&& other) noexcept;
    JsonValue& operator=(const JsonValue& other) noexcept;
    JsonValue& operator=(JsonValue&& other) noexcept;
    ~JsonValue() {
        if (m_flags & kOwner) release();
    }

    Kind kind() const { return Kind(m_kind); }
    bool isNull() const { return kind() == Kind::Null; }
    bool isBool() const { return kind() == Kind::Bool; }
    bool isNumber() const { return kind() == Kind::Number; }
    bool isString() const { return kind() == Kind::String; }
    bool isArray() const { return kind() == Kind::Array; }
    bool isObject() const { return kind() == Kind::Object; }

    /// The JSONPath of this value in its document: "$", "$.text_config.hidden_size", "$.a[2]".
    /// Found from the value's byte offset: O(depth x log(width)).
    std::string path() const;
    /// 1-based position of the value's first character; 0 for a value not read from text.
    /// Counted from the start of the text: O(offset), for messages.
    std::int64_t line() const;
    std::int64_t column() const;
    /// The name the document was parsed under (a file path, "<stdin>", ...).
    std::string_view source() const;

    // Typed access. Each throws InputError naming path, position and what was found instead.
    bool asBool() const;
    double asDouble() const;
    /// True for a number whose literal denotes an integer that int64 holds: 4096, -0, and also
    /// 4096.0 and 4.096e3 (decided from the digits, not from the rounded double).
    bool isInteger() const { return isNumber() && (m_flags & kIsInteger); }
    /// The exact integer; throws on non-numbers, non-integers (1.5, 1.0000000000000000001) and
    /// integers outside [-2^63, 2^63 - 1].
    std::int64_t asInt64() const;
    const std::string& asString() const;
    /// An array's items.
    JsonItems items() const;
    /// An object's members in document order (keys are unique).
    JsonMembers members() const;
    /// Number of array items or object members; throws for other kinds.
    std::size_t size() const;

    /// The member named `key`, or nullptr when absent. Throws when this is not an object.
    const JsonValue* find(std::string_view key) const;
    /// The member named `key`; throws naming the path and the key when absent.
    const JsonValue& at(std::string_view key) const;
    /// The array item at `index`; throws naming the path and the size when out of range.
    const JsonValue& at(std::size_t index) const;

    /// Throws InputError "JSON <source>: <path> (line L, column C): <what>".
    [[noreturn]] void fail(std::string_view what) const;
    /// A short description for messages: "null", "true", "the number 1.5", "the string \"32\"",
    /// "an array of 3 items", "an object with 2 members".
    std::string describe() const;

private:
    friend class JsonParser;
    friend struct JsonDocument;

    // m_flags bits.
    static constexpr std::uint8_t kOwner = 1;      // this value holds a reference on m_doc
    static constexpr std::uint8_t kIntegral = 2;   // the literal denotes an integer
    static constexpr std::uint8_t kIsInteger = 4;  // ... that int64 holds: m_payload.integer
    static constexpr std::uint8_t kNegative = 8;   // the literal starts with '-' (for -0)

    /// Where the value's data is, by kind: the bool, the number (the double, or the exact
    /// integer when kIsInteger), the index of the string, or the first index and count of the
    /// items (in JsonDocument::values) or members (in JsonDocument::members).
    union Payload {
        bool boolean;
        double number;
        std::int64_t integer;
        std::uint64_t string;
        struct {
            std::uint32_t first;
            std::uint32_t count;
        } range;
    };

    void release() const noexcept;
    void retain() noexcept;
    [[noreturn]] void failKind(std::string_view expected) const;
    /// The number's literal as written (from the document's text).
    std::string_view literal() const;

    const JsonDocument* m_doc = nullptr;  // null for a value not read from text
    std::uint32_t m_offset = 0;           // byte offset of the first character in the text
    std::uint8_t m_kind = std::uint8_t(Kind::Null);
    std::uint8_t m_flags = 0;
    Payload m_payload{.integer = 0};
};

struct JsonMember {
    std::string key;
    JsonValue value;
};

std::string_view toString(JsonValue::Kind kind);

struct JsonLimits {
    /// Arrays and objects nested deeper than this are rejected (the top-level value is depth 1).
    std::int64_t max_depth = 256;
};

/// Texts larger than this (4 GiB - 1) are refused: byte offsets are 32-bit.
inline constexpr std::int64_t kMaxJsonTextBytes = 0xFFFFFFFF;

/// Parses `text` (UTF-8) as one JSON value. `source` names the text in messages. Throws
/// InputError as described at the top of this file. The document keeps a copy of the text.
JsonValue parseJson(std::string_view text, std::string_view source, const JsonLimits& limits = {});
/// parseJson() keeping `text` itself in the document instead of a copy.
JsonValue parseJsonText(std::string text, std::string_view source, const JsonLimits& limits = {});

/// Reads and parses the file at `path`. Throws InputError naming the path when it cannot be read,
/// is not a regular file, or is larger than `max_bytes` (checked before reading anything).
JsonValue parseJsonFile(const std::string& path, std::int64_t max_bytes,
                        const JsonLimits& limits = {});

/// Runs `f`; an InputError it throws is thrown again located at `value` ("JSON <source>: $.path
/// (line L, column C): <what>"), so checks done outside the reader still point into the file.
template <class F>
auto rethrowAt(const JsonValue& value, F&& f) {
    try {
        return f();
    } catch (const InputError& e) {
        value.fail(e.what());
    }
}

/// Refuses a member of `object` not named in `known` (a misspelt key would otherwise be ignored
/// silently): "unknown key \"k\" (expected one of: a, b, c)".
void checkKnownKeys(const JsonValue& object, std::initializer_list<std::string_view> known);

/// The version of a versioned KVScope document (`what`: "scenario", "lesson") read from
/// `root[key]`: refuses a root that is not an object ("expected a KVScope <what>"), a missing key
/// ("not a KVScope <what>"), a version above `supported` ("... newer than this KVScope reads")
/// or below 1. Returns the version.
std::int64_t checkDocumentVersion(const JsonValue& root, std::string_view key,
                                  std::int64_t supported, std::string_view what);

}  // namespace kvscope

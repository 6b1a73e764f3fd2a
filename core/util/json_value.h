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
// Every value remembers where it came from: its JSON path ("$.layers[3].name"), its line and
// column, and the source name. The typed accessors (asInt64(), at(), ...) throw InputError
// "JSON <source>: $.path (line L, column C): <what>" when the document does not have the expected
// shape, so callers can read a document without writing their own messages.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/util/error.h"

namespace kvscope {

struct JsonMember;

/// A number as read: its double value, and whether its literal denotes an integer (exactly, from
/// its digits) that int64 holds.
struct JsonNumber {
    double value = 0.0;
    std::int64_t integer = 0;  // the exact value when is_integer
    bool integral = false;     // the literal denotes an integer (perhaps beyond int64)
    bool is_integer = false;   // ... and int64 holds it
    std::string literal;       // as written, for messages
};

class JsonValue {
public:
    enum class Kind { Null, Bool, Number, String, Array, Object };

    /// A null value at path "$" with no source position.
    JsonValue() = default;

    Kind kind() const { return Kind(m_data.index()); }
    bool isNull() const { return kind() == Kind::Null; }
    bool isBool() const { return kind() == Kind::Bool; }
    bool isNumber() const { return kind() == Kind::Number; }
    bool isString() const { return kind() == Kind::String; }
    bool isArray() const { return kind() == Kind::Array; }
    bool isObject() const { return kind() == Kind::Object; }

    /// The JSONPath of this value in its document: "$", "$.text_config.hidden_size", "$.a[2]".
    const std::string& path() const { return m_path; }
    /// 1-based position of the value's first character; 0 for a value not read from text.
    std::int64_t line() const { return m_line; }
    std::int64_t column() const { return m_column; }
    /// The name the document was parsed under (a file path, "<stdin>", ...).
    std::string_view source() const;

    // Typed access. Each throws InputError naming path, position and what was found instead.
    bool asBool() const;
    double asDouble() const;
    /// True for a number whose literal denotes an integer that int64 holds: 4096, -0, and also
    /// 4096.0 and 4.096e3 (decided from the digits, not from the rounded double).
    bool isInteger() const;
    /// The exact integer; throws on non-numbers, non-integers (1.5, 1.0000000000000000001) and
    /// integers outside [-2^63, 2^63 - 1].
    std::int64_t asInt64() const;
    const std::string& asString() const;
    /// An array's items.
    const std::vector<JsonValue>& items() const;
    /// An object's members in document order (keys are unique).
    const std::vector<JsonMember>& members() const;
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

    using Number = JsonNumber;
    struct Object {
        std::vector<JsonMember> members;  // document order
        std::vector<std::size_t> by_key;  // indices into members, sorted by key (for find())
    };
    // Alternatives in Kind order.
    using Data =
        std::variant<std::monostate, bool, Number, std::string, std::vector<JsonValue>, Object>;

    [[noreturn]] void failKind(std::string_view expected) const;

    Data m_data;
    std::string m_path = "$";
    std::shared_ptr<const std::string> m_source;  // shared by all values of one document
    std::int64_t m_line = 0;
    std::int64_t m_column = 0;
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

/// Parses `text` (UTF-8) as one JSON value. `source` names the text in messages. Throws
/// InputError as described at the top of this file.
JsonValue parseJson(std::string_view text, std::string_view source, const JsonLimits& limits = {});

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

#pragma once
// A plain-struct view of JSON for the CLI tests, parsed by the engine's strict RFC 8259 parser
// (core/util/json_value.h): it rejects trailing commas, raw control characters, bad escapes,
// leading zeros, NaN, trailing junk and invalid UTF-8, so a test that parses the CLI's output
// really checks it is JSON.
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope::test {

struct JsonValue {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::string string;  // decoded, UTF-8
    std::vector<JsonValue> array;
    std::map<std::string, JsonValue> object;

    bool isNull() const { return type == Type::Null; }
    bool has(const std::string& key) const { return object.count(key) > 0; }
    /// The member `key`; throws std::out_of_range naming it when absent or not an object.
    const JsonValue& operator[](const std::string& key) const;
    const JsonValue& operator[](std::size_t index) const;
    std::size_t size() const { return type == Type::Array ? array.size() : object.size(); }
};

/// Parses exactly one JSON value (whitespace around it allowed); throws kvscope::InputError with
/// the line and column on anything else.
JsonValue parseJson(std::string_view text);

}  // namespace kvscope::test

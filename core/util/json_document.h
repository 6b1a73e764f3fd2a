#pragma once
// Where the values of one parsed JSON text live (json_value.h): the text itself, the items of
// every array and the members of every object, each container's in one contiguous run, and the
// string values. Built by the parser (json_parser.cpp), read through JsonValue; not a public API.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/json_value.h"

namespace kvscope {

struct JsonDocument {
    std::string text;               // the whole text, for positions and number literals in messages
    std::string source;             // its name in messages
    std::vector<JsonValue> values;  // the items of every array, each array's contiguous
    std::vector<JsonMember> members;       // the members of every object, each object's contiguous
    std::vector<std::uint32_t> key_order;  // [members] per object: its member indices by key
    std::vector<std::string> strings;      // string values (keys are in members)
    JsonValue root;
    mutable std::atomic<std::int64_t> references{0};  // JsonValue copies holding the document

    /// The JSONPath of the value that starts at byte `offset` (found from the root down).
    std::string pathOf(std::uint32_t offset) const;
};

/// 1-based line and column (columns count characters, not bytes) of byte `pos` in `text`: line
/// breaks are \n, \r\n or a lone \r; a leading UTF-8 byte order mark takes no column.
struct JsonTextPosition {
    std::int64_t line = 1;
    std::int64_t column = 1;
};
JsonTextPosition jsonTextPosition(std::string_view text, std::size_t pos);

/// The JSONPath of member `key` of the value at `parent`: parent.key for identifier-like keys,
/// parent["odd key"] otherwise.
std::string jsonMemberPath(const std::string& parent, std::string_view key);

}  // namespace kvscope

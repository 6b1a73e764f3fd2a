// JsonDocument::pathOf(): the JSONPath of a value found from its byte offset, from the root down.
// Items and members are in document order, so their offsets grow: a binary search per level.
#include <algorithm>

#include "core/util/json_document.h"
#include "core/util/json_literals.h"
#include "core/util/json_writer.h"

namespace kvscope {

std::string jsonMemberPath(const std::string& parent, std::string_view key) {
    const bool plain =
        !key.empty() && !isJsonDigit(key[0]) && std::all_of(key.begin(), key.end(), isJsonWordChar);
    if (plain) return parent + "." + std::string(key);
    std::string out = parent + "[";
    appendJsonString(out, key);
    return out + "]";
}

std::string JsonDocument::pathOf(std::uint32_t offset) const {
    std::string path = "$";
    const JsonValue* value = &root;
    while (value->m_offset != offset) {
        if (value->isArray()) {
            const JsonItems items = value->items();
            const auto it = std::upper_bound(
                items.begin(), items.end(), offset,
                [](std::uint32_t at, const JsonValue& item) { return at < item.m_offset; });
            if (it == items.begin()) break;  // not inside: not reached for a value of this text
            value = it - 1;
            // Appended piece by piece: GCC 12 warns falsely on "[" + std::string.
            path += '[';
            path += std::to_string(value - items.begin());
            path += ']';
        } else if (value->isObject()) {
            const JsonMembers members = value->members();
            const auto it = std::upper_bound(members.begin(), members.end(), offset,
                                             [](std::uint32_t at, const JsonMember& member) {
                                                 return at < member.value.m_offset;
                                             });
            if (it == members.begin()) break;
            value = &(it - 1)->value;
            path = jsonMemberPath(path, (it - 1)->key);
        } else {
            break;
        }
    }
    return path;
}

}  // namespace kvscope

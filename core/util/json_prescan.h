#pragma once
// A first pass over JSON text that counts, without validating anything, the items of every array
// and the members of every object (in the order they open), so that the parser can give each
// container its contiguous run in the document at once, and the document's arrays are allocated
// once at their final size: no growth, no copies, nothing reserved that is not used. For text
// that is not JSON the counts are only a guess; the parser fails before it relies on a wrong one.
// Not a public API.
#include <cstdint>
#include <string_view>
#include <vector>

namespace kvscope {

struct JsonPrescan {
    std::vector<std::uint32_t> counts;  // [containers] items or members, in opening order
    std::uint64_t n_items = 0;          // array items in all
    std::uint64_t n_members = 0;        // object members in all
    std::uint64_t n_strings = 0;        // string values (string literals that are not keys)
};

/// Counts the containers of `text` up to `max_depth` levels (the scan stops at a deeper one: the
/// parser refuses it there). Pre: text.size() < 2^32.
JsonPrescan prescanJson(std::string_view text, std::int64_t max_depth);

}  // namespace kvscope

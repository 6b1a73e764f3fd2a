#include "core/util/json_prescan.h"

#include "core/util/check.h"

namespace kvscope {

namespace {

bool isWhitespace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

}  // namespace

JsonPrescan prescanJson(std::string_view text, std::int64_t max_depth) {
    KVSCOPE_EXPECTS(text.size() < (std::uint64_t(1) << 32));
    JsonPrescan scan;
    std::vector<std::uint32_t> open;  // [depth] index into counts of each open container
    std::vector<bool> open_is_array;  // [depth]
    std::uint64_t n_literals = 0;     // string literals, keys included
    // The last byte outside strings and whitespace: a comma counts as a next item only after the
    // end of a value, so that ",,,," cannot make the parser allocate for items it never reads.
    char previous = '\0';
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[i];
        if (isWhitespace(c)) continue;
        const char before = previous;
        previous = c;
        if (c == '"') {
            ++n_literals;
            for (++i; i < n && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;  // the escaped byte cannot end the string
        } else if (c == '[' || c == '{') {
            if (std::int64_t(open.size()) >= max_depth) break;
            std::size_t next = i + 1;
            while (next < n && isWhitespace(text[next]))
                ++next;
            const bool empty = next < n && (text[next] == ']' || text[next] == '}');
            open.push_back(std::uint32_t(scan.counts.size()));
            open_is_array.push_back(c == '[');
            scan.counts.push_back(empty ? 0 : 1);
            if (!empty) ++(c == '[' ? scan.n_items : scan.n_members);
        } else if (c == ']' || c == '}') {
            if (open.empty()) continue;
            open.pop_back();
            open_is_array.pop_back();
        } else if (c == ',') {
            if (open.empty() || before == ',' || before == '[' || before == '{' || before == ':')
                continue;
            ++scan.counts[open.back()];
            ++(open_is_array.back() ? scan.n_items : scan.n_members);
        }
    }
    scan.n_strings = n_literals > scan.n_members ? n_literals - scan.n_members : 0;
    return scan;
}

}  // namespace kvscope

#pragma once
// UTF-8 well-formedness (RFC 3629 / Unicode table 3-7): no overlongs, no encoded surrogates,
// nothing above U+10FFFF, no truncated sequences.
#include <cstddef>
#include <string_view>

namespace kvscope {

/// Bytes of the well-formed UTF-8 sequence `text` starts with (1 to 4), or 0 when it does not
/// start with one (an empty text, a stray continuation byte, an overlong form, ...).
std::size_t utf8SequenceLength(std::string_view text);

}  // namespace kvscope

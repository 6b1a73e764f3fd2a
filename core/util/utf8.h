#pragma once
// UTF-8 well-formedness (RFC 3629 / Unicode table 3-7): no overlongs, no encoded surrogates,
// nothing above U+10FFFF, no truncated sequences.
#include <cstddef>
#include <string>
#include <string_view>

namespace kvscope {

/// Bytes of the well-formed UTF-8 sequence `text` starts with (1 to 4), or 0 when it does not
/// start with one (an empty text, a stray continuation byte, an overlong form, ...).
std::size_t utf8SequenceLength(std::string_view text);

/// Appends the UTF-8 encoding of `code_point` (1 to 4 bytes; a surrogate is encoded like any other
/// value, as lenient decoders such as llama.cpp's produce them). Pre: code_point <= U+10FFFF.
void appendUtf8(std::string& out, char32_t code_point);

}  // namespace kvscope

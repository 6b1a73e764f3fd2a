#pragma once
// Text as llama.cpp's BPE tokenizer sees it: its lenient UTF-8 decoder (unicode_cpts_from_utf8)
// and the UTF-8 it re-encodes the pieces with. Matching it byte for byte is what makes KVScope's
// ids for invalid UTF-8 the same as llama.cpp's.
#include <string>
#include <string_view>
#include <vector>

#include "core/util/utf8.h"  // appendUtf8: the re-encoding

namespace kvscope {

/// The code points of `text` decoded as llama.cpp decodes them: a lead byte followed by enough
/// continuation bytes is one code point, even an overlong form or a surrogate (lead bytes are
/// checked, continuation bytes only for their top bits); any other byte is U+FFFD on its own.
/// Values above U+10FFFF (which llama.cpp cannot re-encode) are U+FFFD too.
std::vector<char32_t> llamaCodepoints(std::string_view text);

}  // namespace kvscope

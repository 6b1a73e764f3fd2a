#pragma once
// GPT-2's byte alphabet: byte-level BPE vocabularies spell every byte as a printable character
// (printable ASCII and Latin-1 as themselves, the others from U+0100 on: ' ' is "Ġ" U+0120,
// '\n' is "Ċ" U+010A).
#include <optional>
#include <string>
#include <string_view>

namespace kvscope {

/// The UTF-8 of the character standing for `byte`.
const std::string& gpt2ByteChar(unsigned char byte);

/// `text`'s bytes, each as its character.
std::string gpt2Encode(std::string_view text);

/// The bytes a piece spells, or nothing when a character of it is not in the alphabet.
std::optional<std::string> gpt2Decode(std::string_view piece);

}  // namespace kvscope

#pragma once
// Spellings shared by the trace exporters and the trace reader.
#include <optional>
#include <string>
#include <string_view>

#include "core/engine/session.h"

namespace kvscope {

/// "contiguous" / "paged".
std::string_view toString(CacheLayout layout);
/// The inverse of toString(CacheLayout); nullopt for anything else.
std::optional<CacheLayout> parseCacheLayout(std::string_view text);

/// Lowercase hexadecimal, two digits per byte: "\x0a\xe2" -> "0ae2".
std::string hexBytes(std::string_view bytes);
/// The inverse of hexBytes() (either case); nullopt for an odd length or a non-hex digit.
std::optional<std::string> parseHexBytes(std::string_view hex);

/// One CSV field as RFC 4180 writes it: quoted (with '"' doubled) when it holds a comma, a quote,
/// CR or LF, or starts or ends with a space; as is otherwise.
std::string csvField(std::string_view text);

}  // namespace kvscope

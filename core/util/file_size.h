#pragma once
// The checks every reader does before opening a file: it exists, it is a regular file, its size.
#include <cstdint>
#include <string>
#include <string_view>

namespace kvscope {

/// The size in bytes of the regular file at `path`. Throws InputError "<kind> <path>: no such
/// file" (or "not a regular file", "cannot read its size (...)"), e.g. kind = "JSON".
std::int64_t regularFileSize(std::string_view kind, const std::string& path);

}  // namespace kvscope

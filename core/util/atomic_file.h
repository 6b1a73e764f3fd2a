#pragma once
// Writing a file so that readers see either the old file or the complete new one, never a part:
// the content goes to a temporary file in the same directory (same file system), is flushed to
// disk, and is renamed over the target (rename(2) is atomic on POSIX).
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace kvscope {

/// Calls `write` with a stream on a new temporary file beside `path`, then renames it to `path`.
/// On any failure the temporary file is removed and `path` is left as it was (absent, or the
/// previous file):
///  - the OS refuses (directory missing or read-only, disk full, `path` is a directory, ...):
///    InputError "cannot write 'PATH': <OS reason>";
///  - `write` throws: the temporary file is removed and the exception propagates unchanged.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

/// writeFileAtomically() with fixed content.
void writeFileAtomically(const std::string& path, std::string_view content);

}  // namespace kvscope

#pragma once
// Reading a whole text file under a size limit: memory stays proportional to the limit whatever
// the path is (a regular file, a pipe, /dev/zero), and what is too large is bad input, refused
// before it is read (regular files) or as soon as the limit is passed (anything else).
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

namespace kvscope {

/// The bytes of the file at `path`, at most `max_bytes`. Throws InputError starting with `what`
/// (e.g. "--text"): "'PATH': no such file", "'PATH' is a directory, not a text file", "cannot
/// read 'PATH': <OS reason>", "'PATH' is larger than the 16.00 MiB limit".
std::string readTextFile(std::string_view what, const std::string& path, std::int64_t max_bytes);

/// Reads `in` to its end into `text`, in chunks, stopping as soon as it holds more than
/// `max_bytes`: false then (`text` holds the first bytes only). Throws InputError "WHAT: read
/// error" when the stream fails.
bool readAtMost(std::istream& in, std::int64_t max_bytes, std::string& text, std::string_view what);

}  // namespace kvscope

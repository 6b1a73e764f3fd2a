#pragma once
// Number formatting for the human-readable CLI output (g++ 12 has no <format>).
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope::cli {

/// `number` with `decimals` digits after the point ("nan" / "inf" spelled out).
std::string fixed(double number, int decimals);
/// An error measure: 3 significant digits in scientific form when small ("1.23e-04"), 4
/// decimals otherwise ("0.0957"), "0" for zero.
std::string errorFigure(double x);
/// Text from a file (a GGUF key, a tensor or model name, a config's _name_or_path) made safe to
/// print on a terminal: C0 control bytes and DEL as \xNN (an ESC can no longer set the title, a
/// CR or LF no longer fakes an output line), C1 controls (U+0080..U+009F) as \u00NN, bytes that
/// are not UTF-8 as \xNN. Printable UTF-8 is kept as it is.
std::string terminalSafe(std::string_view text);
/// `text` padded with spaces on the left (right-aligned) or right (left-aligned) to a display
/// width of `width` characters.
std::string padLeft(std::string_view text, std::size_t width);
std::string padRight(std::string_view text, std::size_t width);
/// A whole number with its digits in groups of three: 131072 -> "131,072", -1000 -> "-1,000".
std::string groupDigits(std::int64_t n);
/// "1 thread", "4 threads".
std::string threadCount(int n);
/// `n` and a noun that takes an "s" in the plural: "1 prompt", "25 prompts".
std::string counted(std::int64_t n, std::string_view noun);
/// Characters (UTF-8 code points) in `text`, a rough display width.
std::size_t displayWidth(std::string_view text);
/// At most `max_chars` code points of `text`, never cutting a UTF-8 sequence in half.
std::string truncateDisplay(std::string_view text, std::size_t max_chars);
/// A Markdown table: rows[0] is the header; the first column is left-aligned, the others
/// right-aligned, each padded to its widest cell. Every row has the header's number of cells.
void writeMarkdownTable(const std::vector<std::vector<std::string>>& rows, std::ostream& out);

}  // namespace kvscope::cli

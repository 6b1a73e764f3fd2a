#pragma once
// Saving a trace in any of its formats, atomically (core/util/atomic_file.h), and deciding the
// format from a name: `--trace-format` or the file's extension.
#include <optional>
#include <string>
#include <string_view>

#include "core/trace/trace.h"

namespace kvscope {

enum class TraceFormat { Json, Csv, Chrome };

/// "json" / "csv" / "chrome".
std::string_view toString(TraceFormat format);
/// The inverse of toString(TraceFormat); nullopt for anything else.
std::optional<TraceFormat> parseTraceFormat(std::string_view text);

/// The format a file name asks for, ignoring case: "*.chrome.json" and "*.perfetto.json" ->
/// Chrome, other "*.json" -> Json, "*.csv" -> Csv; nullopt for any other name.
std::optional<TraceFormat> traceFormatForPath(std::string_view path);

/// Writes `trace` to `path` in `format`: to a temporary file, renamed over `path` when complete.
/// Throws InputError "cannot write 'PATH': <reason>" and leaves `path` as it was on failure.
void saveTrace(const std::string& path, const Trace& trace, TraceFormat format);

}  // namespace kvscope

#pragma once
// The KVScope trace file: JSON, schema "kvscope.trace" version 3, documented field by field in
// docs/trace-schema.md (and as a JSON Schema in docs/trace.schema.json).
//
// Writing then reading gives back an equal Trace, and writing that again gives the same bytes:
// 32-bit floats are written in the shortest decimal that reads back to the same float, doubles
// likewise, and the reader narrows to float checking that the written digits come back.
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "core/trace/trace.h"

namespace kvscope {

inline constexpr std::string_view kTraceSchemaName = "kvscope.trace";
/// 2: records may carry `other_mode` (the twin session's cost). 3: layers may carry
/// `held_positions` and `held_positions_per_head` (a bounded cache), and `holes` (the paged
/// layout's entries allocated but no longer held; absent when 0). Versions 1 and 2 still read.
inline constexpr std::int64_t kTraceSchemaVersion = 3;
/// Trace files larger than this are refused before reading.
inline constexpr std::int64_t kMaxTraceFileBytes = std::int64_t(1) << 31;

/// Writes `trace` as one JSON object and a final newline.
void writeTraceJson(const Trace& trace, std::ostream& out);
std::string traceJsonString(const Trace& trace);

/// Reads a trace from JSON text. `source` names it in messages. Throws InputError naming the
/// source and the JSON path (e.g. "$.records[3].layers[1].attention[0]") when the text is not
/// JSON, is not a KVScope trace, has a newer version, lacks a key, has a value of the wrong type
/// or range, or has shapes that disagree (attention rows vs tokens, layers vs n_layers, ...).
Trace readTraceJson(std::string_view text, std::string_view source);
/// readTraceJson() on the file at `path`.
Trace readTraceJsonFile(const std::string& path);

}  // namespace kvscope

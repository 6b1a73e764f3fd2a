#pragma once
// A trace as CSV (RFC 4180: comma-separated, CRLF line ends, text quoted when it must be): one
// header row, then one row per step and layer. Step-level values repeat on each layer's row.
// The columns are documented in docs/trace-schema.md ("CSV export").
#include <ostream>
#include <span>
#include <string_view>

#include "core/trace/trace.h"

namespace kvscope {

/// The header, in order.
std::span<const std::string_view> traceCsvColumns();

void writeTraceCsv(const Trace& trace, std::ostream& out);

}  // namespace kvscope

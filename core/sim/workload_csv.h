#pragma once
// Requests from a CSV: one request a line, `prompt_len,output_len[,arrival]`, decimal integers.
// An optional header line `prompt_len,output_len[,arrival]`, blank lines and lines starting with
// '#' are skipped. Parsing is strict: every error names the source and the 1-based line.
//
// Size limits, checked before the work: a workload CSV holds at most kMaxWorkloadCsvBytes bytes
// (a regular file's size is checked before it is opened; a pipe or device is read up to one byte
// past the limit and refused there) and at most kMaxWorkloadCsvRequests requests. Memory is the
// text plus 48 bytes per request.
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "core/sim/sim_types.h"
#include "core/sim/workload.h"

namespace kvscope::sim {

/// 16 MiB: the simulator's kMaxRequests requests of typical lengths fit with room to spare.
inline constexpr std::int64_t kMaxWorkloadCsvBytes = std::int64_t(16) << 20;
/// The simulator's own limit (sim_types.h): a CSV may not ask for more than it runs.
inline constexpr std::int64_t kMaxWorkloadCsvRequests = kMaxRequests;

/// Throws InputError "NAME:LINE: ..." for a bad field, a missing or extra column, lengths < 1,
/// prompt + output > max_seq, arrivals that go back in time, more than kMaxWorkloadCsvRequests
/// requests, or no request at all.
std::vector<Request> parseWorkloadCsv(std::string_view text, const std::string& name,
                                      std::int64_t max_seq);
/// Reads `in` (at most kMaxWorkloadCsvBytes; more is an InputError naming the limit) and parses it.
std::vector<Request> parseWorkloadCsv(std::istream& in, const std::string& name,
                                      std::int64_t max_seq);
/// Opens `path` and parses it; a file that cannot be read, or that is larger than
/// kMaxWorkloadCsvBytes (a regular file's size is checked before reading), is an InputError
/// naming it and the limit.
std::vector<Request> readWorkloadCsv(const std::string& path, std::int64_t max_seq);

}  // namespace kvscope::sim

#pragma once
// Requests from a CSV: one request a line, `prompt_len,output_len[,arrival]`, decimal integers.
// An optional header line `prompt_len,output_len[,arrival]`, blank lines and lines starting with
// '#' are skipped. Parsing is strict: every error names the source and the 1-based line.
#include <istream>
#include <string>
#include <vector>

#include "core/sim/workload.h"

namespace kvscope::sim {

/// Throws InputError "NAME:LINE: ..." for a bad field, a missing or extra column, lengths < 1,
/// prompt + output > max_seq, arrivals that go back in time, or no request at all.
std::vector<Request> parseWorkloadCsv(std::istream& in, const std::string& name,
                                      std::int64_t max_seq);
/// Opens `path` and parses it; a file that cannot be read is an InputError naming it.
std::vector<Request> readWorkloadCsv(const std::string& path, std::int64_t max_seq);

}  // namespace kvscope::sim

#pragma once
// What `kvscope-cli serve-sim` prints: a text table (with the paging headline), one JSON object,
// and the per-step timeline as CSV (written to a temp file and renamed).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/sim/sim_types.h"
#include "core/sim/workload.h"

namespace kvscope::cli {

/// Everything serve-sim ran, for the writers.
struct ServeSimRun {
    std::string workload;  // "sharegpt", "fixed", "uniform", "csv:FILE"
    std::string arrivals;  // "all at once" or "poisson rate R/step"
    std::int64_t n_requests = 0;
    std::uint64_t seed = 0;
    std::string model;  // the model preset giving KV bytes per token
    std::int64_t kv_bytes_per_token = 0;
    std::int64_t kv_budget_bytes = 0;
    std::string budget_origin;  // "--kv-budget" or "GPU ... - weights ..."
    sim::SimConfig config;      // policy aside
    std::vector<sim::SimResult> results;
};

void writeServeSimText(const ServeSimRun& run, std::ostream& out);
void writeServeSimJson(const ServeSimRun& run, std::ostream& out);
/// The timelines of every policy: policy,step,running_seqs,waiting,held,reserved,logical,
/// generated,computed,preemptions. Throws std::runtime_error when the file cannot be written;
/// no partial file is left at `path`.
void writeServeSimCsv(const ServeSimRun& run, const std::string& path);

}  // namespace kvscope::cli

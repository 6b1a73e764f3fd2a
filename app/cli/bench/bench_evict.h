#pragma once
// Bounded KV caches in `kvscope-cli bench`: cached decode ms/token of each eviction policy
// against the full cache, and the share of a step its own bookkeeping (the cut, the scores, the
// re-rotation) takes: StepRecord::evict_ms over the step's wall time.
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli/bench/bench_runner.h"
#include "core/model/model.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

struct EvictDecode {
    std::string label;    // EvictionSpec::label()
    DecodeTiming timing;  // cached decode, 1 thread
};

struct EvictDecodeRun {
    std::string model;
    std::int64_t context = 0, budget = 0;
    std::vector<EvictDecode> policies;  // full first
};

/// Every policy with budget = context / 2 (sinks 4), prefill of context - 1 tokens, 1 thread;
/// then window and h2o on the paged layout (blocks of 16, labels ending in " paged").
EvictDecodeRun timeEvictDecode(const std::string& name, std::shared_ptr<const Model> model,
                               std::int64_t context, int n_steps);

void writeEvictTables(const std::vector<EvictDecodeRun>& runs, std::ostream& out);
void writeEvictJson(JsonWriter& json, const std::vector<EvictDecodeRun>& runs);

}  // namespace kvscope::cli

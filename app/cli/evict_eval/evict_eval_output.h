#pragma once
// evict-eval's tables; its JSON is core/eval/evict_eval_json.h's (shared with the Eviction
// view's export).
#include <ostream>
#include <string>

#include "core/eval/evict_eval.h"
#include "core/eval/evict_eval_json.h"
#include "core/eval/needle_check.h"

namespace kvscope::cli {

void writeEvictEvalTable(const EvictEvalSetup& setup, const EvictEvalResult& result,
                         std::ostream& out);
void writeEvictSweepTable(const EvictEvalSetup& setup, const EvictSweepResult& result,
                          std::ostream& out);

/// The needle check: per spec, whether layer 1 held the needle and whether it was retrieved.
void writeNeedleResults(const EvictEvalSetup& setup, std::int64_t length,
                        const std::vector<NeedleResult>& results, bool json, std::ostream& out);

}  // namespace kvscope::cli

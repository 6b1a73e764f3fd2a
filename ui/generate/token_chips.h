#pragma once
// The token strip's chips for what the trace shows: BOS and other special tokens, the prompt, the
// generated tokens fed so far, and the sampled token waiting to be fed. Each chip's tooltip says
// what the model thought of it: its id, and for a sampled token its probability and the
// alternatives the model weighed.
#include <vector>

#include "ui/engine/trace_model.h"
#include "ui/generate/eviction_marks.h"
#include "ui/generate/token_strip.h"

namespace kvscope {

/// Empty before the prefill. Otherwise one chip per token fed by the shown records (the
/// prefill's are the prompt, later ones generated; special tokens are Special wherever they are),
/// then the pending next token of the record at the cursor. `marks` (a bounded cache): the chips
/// of positions it has evicted are marked evicted, its sinks sink, and their tooltips say so.
std::vector<TokenChip> tokenChips(const TraceModel& trace, const EvictionMarks& marks = {});

}  // namespace kvscope

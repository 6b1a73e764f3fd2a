#pragma once
// evict-eval's JSON, the one writer for `kvscope-cli evict-eval --json` (one run, a pooled sweep
// over --prompts, the needle check) and the Eviction view's JSON export: the setup (model, source,
// layout, KV precision), then one object per policy with its spec and its metrics against the
// full cache. docs and README "A bounded cache" name the fields.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/cache/cache_layout.h"
#include "core/cache/kv_cache_spec.h"
#include "core/eval/evict_eval.h"
#include "core/eval/needle_check.h"

namespace kvscope {

/// What the comparison ran on, as the table's header and the JSON's first members say it.
struct EvictEvalSetup {
    std::string model, source, layout, kv;
};

/// The setup of a run on `model` over `source` ("text FILE (N tokens)", "the prompt ..."): the
/// layout as "paged (block 16)" or "contiguous", the KV precision as its label ("fp32").
EvictEvalSetup evictEvalSetup(std::string model, std::string source, CacheLayout layout,
                              std::int64_t block_size, const KvCacheSpec& kv);

/// One run: the setup, n_tokens, prefill_tokens, n_steps, the full cache's perplexity and bytes,
/// and `rows` (label, the spec's members, bytes logical / physical, perplexity and its change,
/// top-1 agreement, logits KL mean / max, held_tokens, first_divergence, and per compared step
/// [n_steps] step_logical_bytes, step_physical_bytes, step_holes). One line, then "\n".
void writeEvictEvalJson(const EvictEvalSetup& setup, const EvictEvalResult& result,
                        std::ostream& out);
/// Pooled over many sequences: as above with n_sequences, and the first divergence's median and
/// minimum over the sequences.
void writeEvictSweepJson(const EvictEvalSetup& setup, const EvictSweepResult& result,
                         std::ostream& out);
/// The needle check: per spec, whether layer 1 held the needle, whether it was retrieved, and its
/// probability.
void writeNeedleJson(const EvictEvalSetup& setup, std::int64_t length,
                     const std::vector<NeedleResult>& results, std::ostream& out);

}  // namespace kvscope

#pragma once
// A scenario and every step recorded while running it. The GUI renders a Trace plus a cursor.
// A Trace also carries what a replay needs without the model file: the model's shape and the
// texts of every token the records name (written to and read from JSON by trace_json.h).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cache/kv_cache_spec.h"
#include "core/engine/sampler.h"
#include "core/engine/session.h"
#include "core/engine/step_record.h"
#include "core/model/model_config.h"
#include "core/model/tokenizer.h"

namespace kvscope {

struct Scenario {
    std::string model = "builtin:demo";
    std::string prompt;
    std::int64_t max_new_tokens = 32;
    SamplingParams sampling;
    CacheMode mode = CacheMode::Cached;
    CacheLayout cache_layout = CacheLayout::Contiguous;
    std::int64_t block_size = 16;  // positions per block of the paged layout
    KvCacheSpec cache_spec;        // the precision K and V are stored in (default fp32)
    std::int64_t max_context = 0;  // 0 = the model's max_context
    /// The bounded cache (policy, budget in tokens, sinks, window, positions, shape); default:
    /// full. What a session ran with: a budget given in bytes is already turned into tokens here.
    EvictionSpec eviction;
    /// When > 0 the budget was asked for in bytes (K + V of all layers, at the cache's
    /// precision); eviction.budget holds the tokens they bought on the scenario's model.
    std::int64_t eviction_budget_bytes = 0;

    bool operator==(const Scenario&) const = default;
};

/// The model as a replay needs it: its shape and its special tokens.
struct TraceModelInfo {
    ModelConfig config;  // name, n_layers, n_heads, n_kv_heads, head_dim, vocab, max_context, ...
    TokenId bos = 0;
    TokenId eos = 0;
    /// Whether the activation scheme (q8 or float) changes this model's products
    /// (activationSchemeApplies: quantized weights). Not written to trace files: a replay computes
    /// nothing, and reads false.
    bool activation_scheme_applies = false;
    /// Whether the model has Llama 3's per-pair RoPE frequency factors (rope_freqs.weight). Not
    /// written to trace files either.
    bool rope_freqs = false;
};

/// How one token id is shown without its tokenizer.
struct TraceToken {
    std::string label;  // Tokenizer::label(): "<s>", "<0x0A>", "▁the"
    std::string text;   // Tokenizer::decode(): the bytes it stands for (any bytes, "" if special)
    bool special = false;
};

/// The same step run in the other CacheMode (recompute when the scenario caches, cached when it
/// recomputes) by a twin session: its measured wall time and analytic cost, for the "cost of not
/// caching" chart. Trace version 2 keeps it, so a replay shows the same chart.
struct OtherModeCost {
    double wall_ms = 0;
    StepCost cost;

    bool operator==(const OtherModeCost&) const = default;
};

struct Trace {
    Scenario scenario;
    std::vector<StepRecord> records;
    /// [records.size()] or empty (no twin ran): the other-mode cost of record r, nullopt where it
    /// was not measured.
    std::vector<std::optional<OtherModeCost>> other_mode;
    TraceModelInfo model_info;
    std::map<TokenId, TraceToken> tokens;  // every id fed, sampled or in a top-k list
    std::string backend;                   // Backend::name() of the run ("" when unknown)
};

}  // namespace kvscope

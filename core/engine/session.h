#pragma once
// Model + cache + backend: the thing a teacher steps through. prefill() feeds the prompt in one
// batched pass, step() feeds one token, undo() removes the last step from the cache for real.
#include <memory>
#include <span>
#include <vector>

#include "core/cache/cache_layout.h"
#include "core/cache/eviction_policy.h"
#include "core/cache/kv_cache.h"
#include "core/cache/kv_cache_spec.h"
#include "core/engine/backend.h"
#include "core/engine/sampler.h"
#include "core/engine/step_record.h"
#include "core/model/model.h"

namespace kvscope {

class CacheEvictor;

struct SessionOptions {
    CacheMode mode = CacheMode::Cached;
    CacheLayout cache_layout = CacheLayout::Contiguous;
    std::int64_t block_size = 16;  // positions per block of the paged layout
    /// The precision K and V are stored in (default: fp32, read in place). Any other spec stores
    /// encoded bytes and attention reads them back decoded; both layouts give the same logits.
    KvCacheSpec cache_spec;
    /// A bounded cache (core/engine/cache_evictor.h): policy, budget, positions. Default: full.
    /// Ignored in Recompute mode (nothing is held between steps).
    EvictionSpec eviction;
    /// Keep what each eviction removed so that undo() restores it (off for long evaluations).
    bool eviction_undo = true;
    SamplingParams sampling;
    std::int64_t max_context = 0;  // 0 = the model's max_context
    bool record_attention = true;
    std::int64_t record_top_k = 5;
};

class Session {
public:
    /// backend: nullptr = CpuBackend with all threads. Throws InputError on bad options.
    Session(std::shared_ptr<const Model> model, SessionOptions options,
            std::unique_ptr<Backend> backend = nullptr);
    ~Session();

    /// Feeds `tokens` (BOS included by the caller) at positions 0.. in one pass and samples the
    /// next token. Pre: nothing fed yet; 1 <= tokens.size() <= maxContext(); ids in the vocab.
    const StepRecord& prefill(std::span<const TokenId> tokens);
    /// Feeds the pending sampled token and samples the next. Pre: prefilled, position() <
    /// maxContext(). In Recompute mode the whole sequence is recomputed from scratch.
    const StepRecord& step();
    /// Like step(), but feeds `token` instead of the sampled one (teacher forcing).
    const StepRecord& stepForced(TokenId token);
    /// Removes the last step: the cache forgets its positions, the pending token and the random
    /// state go back. Undoing the prefill resets. Pre: canUndo().
    void undo();
    bool canUndo() const;
    /// Empties the cache and the records; the sampler goes back to its seed.
    void reset();

    std::int64_t position() const { return std::int64_t(m_tokens.size()); }
    std::int64_t maxContext() const { return m_max_context; }
    bool canStep() const { return !m_records.empty() && position() < m_max_context; }
    const std::vector<TokenId>& tokens() const { return m_tokens; }
    /// The token sampled by the last step, not yet fed. Pre: prefilled.
    TokenId pendingToken() const;
    /// Logits of the last fed position: [vocab].
    const Vector& lastLogits() const { return m_last_logits; }
    const std::vector<StepRecord>& records() const { return m_records; }
    const Model& model() const { return *m_model; }
    const KvCache& cache() const { return *m_cache; }
    const Backend& backend() const { return *m_backend; }
    const SessionOptions& options() const { return m_options; }
    /// The bounded cache's metadata; null when no layer is bounded (policy full and no
    /// sliding-window layers, or Recompute mode).
    const CacheEvictor* evictor() const { return m_evictor.get(); }

private:
    const StepRecord& run(std::span<const TokenId> new_tokens, Phase phase);

    std::shared_ptr<const Model> m_model;
    SessionOptions m_options;
    std::int64_t m_max_context;
    std::unique_ptr<Backend> m_backend;
    std::unique_ptr<KvCache> m_cache;
    std::unique_ptr<CacheEvictor> m_evictor;  // null: every layer holds every position
    std::int64_t m_prompt_length = 0;
    Sampler m_sampler;
    std::vector<Sampler::State> m_sampler_before;  // [n_records] state before each step
    std::vector<TokenId> m_tokens;                 // every token fed so far
    std::vector<StepRecord> m_records;
    Vector m_last_logits;  // [vocab]
};

}  // namespace kvscope

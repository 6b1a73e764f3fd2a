#pragma once
// Holds a KvCache to a budget: the per-cell metadata (which original position every slot of every
// layer holds, kept apart from the storage, as llama.cpp's llama_kv_cells), the scores the
// policies read, the eviction itself, re-rotation of held keys, and the undo log.
//
// Timing: before a decode step of n new tokens each layer is cut to (its budget - n), so the new
// tokens fit and attention never sees more than the budget; right after the prompt's pass the
// layers are cut to their budget (SnapKV compresses here). A query therefore attends to at most
// `budget` entries, itself included: a window of W is the W most recent positions.
//
// Positions: Original keeps every key rotated at its original position and rotates new tokens at
// theirs (H2O, SnapKV). Rerotate (StreamingLLM) rotates every key at its slot (its position
// inside the cache): new tokens at the layer's length, and after an eviction the kept keys are
// rotated by (new slot - old slot) (kvpress's key re-rotation).
#include <cstdint>
#include <span>
#include <vector>

#include "core/cache/eviction_policy.h"
#include "core/cache/kv_cache.h"
#include "core/model/model.h"

namespace kvscope {

class CacheEvictor {
public:
    /// Pre: checkEvictionSpec(spec, max_context) passed, spec.bounded().
    CacheEvictor(const ModelConfig& config, EvictionSpec spec, bool keep_undo);

    const EvictionSpec& spec() const { return m_spec; }
    const std::vector<std::int64_t>& budgets() const { return m_budgets; }
    /// [layer] original positions held, ascending (slot i holds positions(layer)[i]).
    const std::vector<std::int64_t>& positions(std::int64_t layer) const {
        return m_cells[std::size_t(layer)];
    }
    bool rerotate() const { return m_spec.positions == EvictionPositions::Rerotate; }

    /// Before a decode step of n_new tokens: evicts down to budget - n_new per layer and opens
    /// the step's undo entry.
    void beforeStep(KvCache& cache, std::int64_t n_new);
    /// After the pass that appended positions [first_pos, first_pos + n_new): records the new
    /// cells and the scores from `attention` ([n_layers * n_heads] of [n_new][slots]); after the
    /// prefill, compresses to the budget. Pre: beforeStep() opened this step (decode), or nothing
    /// is held (prefill).
    void afterForward(KvCache& cache, const std::vector<Matrix>& attention, std::int64_t first_pos,
                      std::int64_t n_new, bool prefill, std::int64_t prompt_length);
    /// Puts back the entries, bytes and scores held before the last step. Pre: canUndo().
    void undo(KvCache& cache);
    bool canUndo() const { return !m_undo.empty(); }
    void reset();

private:
    struct LayerUndo {
        std::vector<std::int64_t> positions;  // [n_before] held before the step
        std::vector<double> scores;           // [n_before] the policy's scores before the step
        std::vector<std::int64_t> evicted;    // slots (of the before layout) evicted in the step
        std::vector<float> k, v;              // [evicted][kv_dim] their rows as stored
    };
    struct StepUndo {
        std::int64_t n_new = 0;
        std::vector<LayerUndo> layers;  // [n_layers]
    };

    /// Keeps `target` entries of `layer`; logs what goes into the open undo entry.
    void evictLayer(KvCache& cache, std::int64_t layer, std::int64_t target, bool after_prefill,
                    std::int64_t prompt_length);
    /// Rotates each key row of `k` ([n][kv_dim]) by delta[i] positions.
    void rotateKeys(std::vector<float>& k, const std::vector<std::int64_t>& delta) const;
    void updateScores(const KvCache& cache, const std::vector<Matrix>& attention,
                      std::int64_t n_new, bool prefill);

    ModelConfig m_config;
    EvictionSpec m_spec;
    bool m_keep_undo;
    std::vector<std::int64_t> m_budgets;             // [n_layers]
    std::vector<std::vector<std::int64_t>> m_cells;  // [n_layers][n_held] original positions
    std::vector<std::vector<double>> m_scores;       // [n_layers][n_held] the policy's scores
    std::vector<StepUndo> m_undo;                    // [steps] (empty unless keep_undo)
};

}  // namespace kvscope

#pragma once
// Holds a KvCache to a budget: the per-cell metadata (which original position every slot of every
// layer holds, kept apart from the storage, as llama.cpp's llama_kv_cells), the scores the
// policies read, the eviction itself, re-rotation of held keys, and the undo log. It is the one
// mechanism for both an eviction policy (EvictionSpec) and the model's own sliding-window layers
// (ModelConfig::layerWindow): a Session has one whenever either bounds a layer.
//
// Timing: before a decode step of n new tokens at positions [p, p + n) each layer is cut so the
// new tokens fit: a policy keeps at most (its budget - n); a local layer of window W keeps only
// the positions the step's last query sees, (p + n - 1 - W, p) (so its query sees W keys, itself
// included, as llama.cpp's n_swa and transformers' sliding-window mask). Right after the prompt's
// pass each layer is cut to its budget (SnapKV compresses here) and a local layer to the W most
// recent positions. A query therefore attends to at most `budget` (or W) entries, itself included.
// The queries of one pass longer than W (a long prompt) rely on the forward pass's window mask.
//
// Local layers under a policy: the window cut comes first (a position outside the window can never
// be attended again, sinks included), then the policy chooses among the rest with its budget, so a
// local layer holds min(W, budget) entries after a step and a global one min(tokens, budget).
//
// Per KV head (EvictionSpec::per_head, head-wise policies h2o, tova, snapkv, knorm): each KV head
// of a layer keeps its own subset of the positions, every head the same count, so the storage
// rows stay [n_held][kv_dim] and slot i's segment of head h holds the i-th position of head h's
// subset. A KV head's score sums the scores of its GQA query group (the query heads that read
// it); knorm uses that head's key norm. Layer-wise (the default) every head keeps one subset, the
// scores summed over every query head. Internally the cells are kept per GROUP of KV heads: one
// group (the whole row) layer-wise, n_kv_heads groups (one head each) per head.
//
// Positions: Original keeps every key rotated at its original position and rotates new tokens at
// theirs (H2O, SnapKV, and a model's own sliding windows). Rerotate (StreamingLLM) rotates every
// key at its slot (its position inside the cache) and the new tokens at the layer's length, up to
// a per-layer frame f: keys are stored rotated at slot + f and new tokens at length + f. Attention
// scores depend only on the difference of the query's and the key's rotations, so any frame gives
// the scores of keys at their slots (to float rounding). After an eviction the kept keys move by
// (new slot - old slot); the frame takes up the shift most of them share, so only the others are
// rotated (a streaming cut rotates its sinks, not its window; a window cut rotates nothing), with
// the layer's RoPE (key_rotation.h: its base, style, dims and scaling; kvpress's re-rotation).
#include <cstdint>
#include <vector>

#include "core/cache/eviction_policy.h"
#include "core/cache/kv_cache.h"
#include "core/engine/key_rotation.h"
#include "core/model/model.h"

namespace kvscope {

class CacheEvictor {
public:
    /// Whether a session over `config` with `spec` needs an evictor: a bounded policy, or a model
    /// with sliding-window layers.
    static bool needed(const ModelConfig& config, const EvictionSpec& spec);

    /// Pre: checkEvictionSpec(spec, max_context) passed, needed(config, spec). rope_freqs: the
    /// RoPE frequency factors of the run (ModelWeights::ropeFactors at the session's context),
    /// used when keys are re-rotated.
    CacheEvictor(const ModelConfig& config, EvictionSpec spec, bool keep_undo,
                 const Vector& rope_freqs = Vector());

    const EvictionSpec& spec() const { return m_spec; }
    /// [n_layers] the policy's budget per layer; 0 = unbounded (policy full).
    const std::vector<std::int64_t>& budgets() const { return m_budgets; }
    /// [n_layers] entries each layer holds at most after a step: min(budget, window), 0 = no limit.
    std::vector<std::int64_t> layerLimits() const;
    /// [layer] original positions held, ascending: layer-wise, slot i holds positions(layer)[i];
    /// per head, the union of the heads' subsets (a position some KV head holds).
    const std::vector<std::int64_t>& positions(std::int64_t layer) const {
        return m_groups == 1 ? m_cells[std::size_t(layer)][0] : m_union[std::size_t(layer)];
    }
    /// The positions KV head `kv_head` of `layer` holds, ascending: slot i of that head's segment
    /// holds headPositions(layer, kv_head)[i].
    const std::vector<std::int64_t>& headPositions(std::int64_t layer, std::int64_t kv_head) const {
        return m_cells[std::size_t(layer)][std::size_t(m_groups == 1 ? 0 : kv_head)];
    }
    /// Whether the KV heads keep their own subsets (per_head with a head-wise policy).
    bool perHead() const { return m_groups > 1; }
    /// Re-rotated positions: asked for with a bounded policy (policy full keeps a model's own
    /// sliding windows at their original positions, as the model was trained).
    bool rerotate() const {
        return m_spec.bounded() && m_spec.positions == EvictionPositions::Rerotate;
    }
    /// [n_layers] where the forward pass rotates the next token of each layer: Rerotate: the
    /// layer's length + its frame; Original: empty (the token's position).
    std::vector<std::int64_t> ropeStarts(const KvCache& cache) const;

    /// Before a decode step of n_new tokens at positions [first_pos, first_pos + n_new): cuts
    /// every layer (see the timing above) and opens the step's undo entry.
    void beforeStep(KvCache& cache, std::int64_t first_pos, std::int64_t n_new);
    /// After the pass that appended positions [first_pos, first_pos + n_new): records the new
    /// cells and the scores from `attention` ([n_layers * n_heads] of [n_new][slots]); after the
    /// prefill, compresses to the budget and the windows. Pre: beforeStep() opened this step
    /// (decode), or nothing is held (prefill).
    void afterForward(KvCache& cache, const std::vector<Matrix>& attention, std::int64_t first_pos,
                      std::int64_t n_new, bool prefill, std::int64_t prompt_length);
    /// Puts back the entries, bytes and scores held before the last step. Pre: canUndo().
    void undo(KvCache& cache);
    bool canUndo() const { return !m_undo.empty(); }
    void reset();

private:
    using Slots = std::vector<std::int64_t>;
    struct LayerUndo {
        std::vector<Slots> positions;             // [n_groups][n_before] held before the step
        std::vector<std::vector<double>> scores;  // [n_groups][n_before] scores before the step
        std::vector<Slots> evicted;               // [n_groups] slots (of the before layout) evicted
        std::vector<std::vector<float>> k, v;     // [n_groups][evicted][group width] as stored
        std::int64_t frame = 0;                   // the rerotate frame before the step
    };
    struct StepUndo {
        std::int64_t n_new = 0;
        std::vector<LayerUndo> layers;  // [n_layers]
    };

    /// Cuts `layer`: the window keeps positions > horizon - W (local layers), then the policy
    /// keeps at most `target` of the rest (bounded policies), the same count in every group;
    /// logs what goes into the open undo entry.
    void evictLayer(KvCache& cache, std::int64_t layer, std::int64_t target, std::int64_t horizon,
                    bool after_prefill, std::int64_t prompt_length);
    /// The slots of group `group` of `layer` to keep (ascending): `count` of those from `first`.
    Slots keptSlots(std::int64_t layer, std::int64_t group, std::int64_t first, std::int64_t count,
                    bool after_prefill, std::int64_t prompt_length) const;
    /// The rotation by `delta` of `layer`'s RoPE, built once per (layer, delta).
    const DeltaRotation& rotationOf(std::int64_t layer, std::int64_t delta);
    void updateScores(const KvCache& cache, const std::vector<Matrix>& attention,
                      std::int64_t n_new, bool prefill);
    /// The group of query head `head` (its KV head per head, else 0).
    std::int64_t groupOf(std::int64_t head) const;
    void refreshUnion(std::int64_t layer);

    ModelConfig m_config;
    EvictionSpec m_spec;
    bool m_keep_undo;
    std::vector<std::int64_t> m_budgets;             // [n_layers] 0 = unbounded
    std::vector<std::int64_t> m_windows;             // [n_layers] 0 = global layer
    std::vector<cpu::RopeSpec> m_rope;               // [n_layers] for re-rotation
    std::vector<std::vector<DeltaRotation>> m_rots;  // [n_layers][-delta] built on first use
    std::vector<std::int64_t> m_frames;              // [n_layers] rerotate: keys at slot + frame
    std::int64_t m_groups;                           // 1 (layer-wise) or n_kv_heads (per head)
    std::vector<std::vector<Slots>> m_cells;         // [n_layers][n_groups][n_held] positions
    std::vector<std::vector<std::vector<double>>> m_scores;  // [n_layers][n_groups][n_held]
    std::vector<Slots> m_union;    // [n_layers] per head: the heads' union
    std::vector<StepUndo> m_undo;  // [steps] (empty unless keep_undo)
};

}  // namespace kvscope

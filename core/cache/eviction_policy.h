#pragma once
// Which entries a bounded KV cache keeps: one interface (selectKept) for every policy, each with
// its paper's parameters. Pure functions over one layer's metadata and scores, so tests can name
// the expected kept positions on hand-built attention patterns.
//
//   full       keep everything (the reference)
//   window     the `target` most recent entries (a sliding window)
//   streaming  S sink entries (the first positions) + the target - S most recent (StreamingLLM)
//   h2o        the `window` most recent + the heavy hitters: highest attention accumulated over
//              every step so far (H2O, Zhang et al. 2023)
//   tova       the entries with the highest attention from the last query (TOVA, Oren et al.)
//   snapkv     once, after prefill: the observation window (the last `window` prompt positions)
//              + the prompt positions most attended by the window's queries, scores max-pooled
//              over neighbours (SnapKV, Li et al. 2024); decode steps then keep the compressed
//              prompt and slide a window over the generated entries
//   knorm      the entries whose keys have the lowest L2 norm (Devoto et al. 2024, KnormPress)
//
// Scores: layer-wise (the default) a layer's score of an entry is the sum over every query head,
// and every KV head keeps the same entries. Per head (EvictionSpec::per_head; h2o, tova, snapkv,
// knorm) each KV head keeps its own entries, scored by the sum over its GQA query group (the
// query heads that read it; knorm: that head's key norm), every head the same count. Budgets are
// per layer: uniform, or pyramid (PyramidKV: more in lower layers, the same total).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope {

enum class EvictionPolicy { Full, Window, Streaming, H2O, Tova, SnapKV, KNorm };
enum class EvictionPositions { Original, Rerotate };
enum class BudgetShape { Uniform, Pyramid };

std::string_view toString(EvictionPolicy policy);
std::string_view toString(EvictionPositions positions);
std::string_view toString(BudgetShape shape);
/// "full", "window", "streaming", "h2o", "tova", "snapkv", "knorm"; throws InputError naming
/// `flag` and the text otherwise.
EvictionPolicy parseEvictionPolicy(std::string_view text, std::string_view flag);
EvictionPositions parseEvictionPositions(std::string_view text, std::string_view flag);
BudgetShape parseBudgetShape(std::string_view text, std::string_view flag);
/// Every policy, in the order above.
std::vector<EvictionPolicy> allEvictionPolicies();

struct EvictionSpec {
    EvictionPolicy policy = EvictionPolicy::Full;
    /// Entries each layer holds at most (uniform shape); 0 with Full = unbounded.
    std::int64_t budget = 0;
    std::int64_t sinks = 4;   // streaming: the first positions always kept
    std::int64_t window = 0;  // h2o: recent entries kept; snapkv: observation window. 0 = default
    std::int64_t pool = 7;    // snapkv: max-pooling kernel (odd)
    EvictionPositions positions = EvictionPositions::Original;
    BudgetShape shape = BudgetShape::Uniform;
    /// Each KV head keeps its own entries (h2o, tova, snapkv, knorm; the others select the same
    /// entries in every head, so it changes nothing there). Default: layer-wise.
    bool per_head = false;

    bool bounded() const { return policy != EvictionPolicy::Full; }
    /// Whether the policy reads attention scores (the engine must compute them).
    bool needsAttention() const;
    /// The window the policy uses: `window`, or its default (h2o: budget / 2, snapkv: min(32,
    /// budget / 4), at least 1).
    std::int64_t effectiveWindow() const;
    /// Whether the KV heads keep their own entries: per_head with a head-wise policy.
    bool headWise() const;
    /// "streaming b64 s4", "h2o b64 w32 rerotate", "tova b64 per-head".
    std::string label() const;
    bool operator==(const EvictionSpec&) const = default;
};

/// Throws InputError naming the flags (--budget, --sinks, --window, --policies) for a budget < 1
/// on a bounded policy, a budget below the sink count + 1, a window larger than the budget or
/// than `max_context`, a pooling kernel that is not odd and positive.
void checkEvictionSpec(const EvictionSpec& spec, std::int64_t max_context);

/// Entries each layer may hold: [n_layers]. Uniform: budget everywhere. Pyramid: a linear ramp
/// from 1.5 x budget (layer 0) down to 0.5 x budget (last layer), rounded, each at least
/// sinks + 2, the sum equal to n_layers x budget.
std::vector<std::int64_t> layerBudgets(const EvictionSpec& spec, std::int64_t n_layers);

/// What a policy sees of one layer.
struct EvictionInput {
    const std::vector<std::int64_t>* positions;  // [n_held] original positions, ascending
    /// [n_held] the scores the policy needs (h2o: accumulated attention, tova: the last query's,
    /// snapkv: the observation window's, pooled here; knorm: key L2 norms); null otherwise.
    const std::vector<double>* scores = nullptr;
    bool after_prefill = false;      // this is the compression right after the prompt's pass
    std::int64_t prompt_length = 0;  // snapkv at decode: positions below are the compressed prompt
};

/// Slots (indices into positions) to keep, ascending, at most `target` of them. Ties in a score
/// go to the more recent entry. Pre: target >= 1.
std::vector<std::int64_t> selectKept(const EvictionSpec& spec, const EvictionInput& in,
                                     std::int64_t target);

/// Max-pooling of `scores` over a window of `kernel` (odd) neighbours, clipped at the ends.
std::vector<double> maxPool1d(const std::vector<double>& scores, std::int64_t kernel);

}  // namespace kvscope

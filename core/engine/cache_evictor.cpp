#include "core/engine/cache_evictor.h"

#include <algorithm>
#include <cmath>

#include "core/util/check.h"

namespace kvscope {

namespace {

bool hasLocalLayers(const ModelConfig& config) {
    for (std::int64_t l = 0; l < config.n_layers; ++l)
        if (config.layerWindow(l) > 0) return true;
    return false;
}

/// Copies the K and V rows of the given slots (ascending) of `layer` to the end of k and v.
void copyRowsAt(const KvCache& cache, std::int64_t layer, const std::vector<std::int64_t>& slots,
                std::vector<float>& k, std::vector<float>& v) {
    if (slots.empty()) return;
    std::vector<KvRun> runs;
    cache.collectRuns(layer, runs);
    const std::int64_t d = cache.kvDim();
    std::size_t r = 0;
    for (std::int64_t s : slots) {
        while (s >= runs[r].first_pos + runs[r].n_pos)
            ++r;
        const std::int64_t at = (s - runs[r].first_pos) * d;
        k.insert(k.end(), runs[r].k + at, runs[r].k + at + d);
        v.insert(v.end(), runs[r].v + at, runs[r].v + at + d);
    }
}

}  // namespace

bool CacheEvictor::needed(const ModelConfig& config, const EvictionSpec& spec) {
    return spec.bounded() || hasLocalLayers(config);
}

CacheEvictor::CacheEvictor(const ModelConfig& config, EvictionSpec spec, bool keep_undo)
    : m_config(config),
      m_spec(spec),
      m_keep_undo(keep_undo),
      m_budgets(spec.bounded() ? layerBudgets(spec, config.n_layers)
                               : std::vector<std::int64_t>(std::size_t(config.n_layers), 0)),
      m_rots(std::size_t(config.n_layers)),
      m_frames(std::size_t(config.n_layers), 0),
      m_cells(std::size_t(config.n_layers)),
      m_scores(std::size_t(config.n_layers)) {
    KVSCOPE_EXPECTS(needed(config, spec));
    for (std::int64_t l = 0; l < config.n_layers; ++l) {
        m_windows.push_back(config.layerWindow(l));
        m_rope.push_back(ropeParamsOf(config, l));
    }
}

std::vector<std::int64_t> CacheEvictor::layerLimits() const {
    std::vector<std::int64_t> out(m_budgets.size());
    for (std::size_t l = 0; l < out.size(); ++l) {
        const std::int64_t b = m_budgets[l], w = m_windows[l];
        out[l] = b == 0 ? w : w == 0 ? b : std::min(b, w);
    }
    return out;
}

std::vector<std::int64_t> CacheEvictor::ropeStarts(const KvCache& cache) const {
    if (!rerotate()) return {};
    std::vector<std::int64_t> out;
    for (std::int64_t l = 0; l < m_config.n_layers; ++l)
        out.push_back(cache.layerLength(l) + m_frames[std::size_t(l)]);
    return out;
}

void CacheEvictor::reset() {
    std::fill(m_frames.begin(), m_frames.end(), 0);
    for (auto& c : m_cells)
        c.clear();
    for (auto& s : m_scores)
        s.clear();
    m_undo.clear();
}

void CacheEvictor::beforeStep(KvCache& cache, std::int64_t first_pos, std::int64_t n_new) {
    if (m_keep_undo) {
        StepUndo step;
        step.n_new = n_new;
        step.layers.resize(m_cells.size());
        for (std::size_t l = 0; l < m_cells.size(); ++l) {
            step.layers[l].positions = m_cells[l];
            step.layers[l].scores = m_scores[l];
            step.layers[l].frame = m_frames[l];
        }
        m_undo.push_back(std::move(step));
    }
    for (std::int64_t l = 0; l < m_config.n_layers; ++l)
        evictLayer(cache, l, m_budgets[std::size_t(l)] - n_new, first_pos + n_new - 1, false, 0);
}

std::vector<std::int64_t> CacheEvictor::keptSlots(std::int64_t layer, std::int64_t target,
                                                  std::int64_t horizon, bool after_prefill,
                                                  std::int64_t prompt_length) const {
    const std::vector<std::int64_t>& cells = m_cells[std::size_t(layer)];
    const std::vector<double>& scores = m_scores[std::size_t(layer)];
    const std::int64_t n = std::int64_t(cells.size());
    // The window: the positions the horizon's query can no longer see go first.
    std::int64_t first = 0;
    if (const std::int64_t w = m_windows[std::size_t(layer)]; w > 0) {
        first =
            std::int64_t(std::upper_bound(cells.begin(), cells.end(), horizon - w) - cells.begin());
    }
    const bool policy_cuts = m_spec.bounded() && n - first > std::max<std::int64_t>(target, 0);
    if (!policy_cuts) {
        std::vector<std::int64_t> all(std::size_t(n - first));
        for (std::int64_t i = first; i < n; ++i)
            all[std::size_t(i - first)] = i;
        return all;
    }
    if (target <= 0) return {};
    if (first == 0) {
        return selectKept(m_spec,
                          EvictionInput{.positions = &cells,
                                        .scores = &scores,
                                        .after_prefill = after_prefill,
                                        .prompt_length = prompt_length},
                          target);
    }
    // A local layer: the policy chooses among the entries inside the window.
    const std::vector<std::int64_t> sub_cells(cells.begin() + first, cells.end());
    const std::vector<double> sub_scores(scores.begin() + first, scores.end());
    std::vector<std::int64_t> kept = selectKept(m_spec,
                                                EvictionInput{.positions = &sub_cells,
                                                              .scores = &sub_scores,
                                                              .after_prefill = after_prefill,
                                                              .prompt_length = prompt_length},
                                                target);
    for (std::int64_t& s : kept)
        s += first;
    return kept;
}

const DeltaRotation& CacheEvictor::rotationOf(std::int64_t layer, std::int64_t delta) {
    // Built once per distinct delta (a cut moves keys by a few), indexed by |delta| and sign.
    KVSCOPE_EXPECTS(delta != 0);
    std::vector<DeltaRotation>& built = m_rots[std::size_t(layer)];
    const std::size_t at = std::size_t(2 * std::abs(delta) + (delta < 0 ? 1 : 0));
    if (built.size() <= at) built.resize(at + 1);
    DeltaRotation& r = built[at];
    if (r.cos.empty()) r = deltaRotation(m_rope[std::size_t(layer)], delta);
    return r;
}

void CacheEvictor::evictLayer(KvCache& cache, std::int64_t layer, std::int64_t target,
                              std::int64_t horizon, bool after_prefill,
                              std::int64_t prompt_length) {
    std::vector<std::int64_t>& cells = m_cells[std::size_t(layer)];
    std::vector<double>& scores = m_scores[std::size_t(layer)];
    KVSCOPE_EXPECTS(std::int64_t(cells.size()) == cache.layerLength(layer));
    const std::int64_t n = std::int64_t(cells.size());
    const std::vector<std::int64_t> kept =
        keptSlots(layer, target, horizon, after_prefill, prompt_length);
    if (std::int64_t(kept.size()) == n) return;
    if (m_keep_undo && !m_undo.empty() && !after_prefill) {
        // Only the evicted rows are copied (not the whole layer).
        LayerUndo& log = m_undo.back().layers[std::size_t(layer)];
        std::size_t next = 0;
        for (std::int64_t s = 0; s < n; ++s) {
            if (next < kept.size() && kept[next] == s) {
                ++next;
                continue;
            }
            log.evicted.push_back(s);
        }
        copyRowsAt(cache, layer, log.evicted, log.k, log.v);
    }
    KeptKeysFn rotate;
    if (rerotate()) {
        // Kept slot i moves by shift = i - kept[i] (runs of equal shifts). Keys are stored at
        // slot + frame: the new frame absorbs the shift most kept keys share, and a run rotates
        // by its shift minus that one.
        std::int64_t common = 0, best = 0;
        forEachKeptRun(kept, [&](std::int64_t i, std::int64_t count) {
            if (count > best) best = count, common = i - kept[std::size_t(i)];
        });
        m_frames[std::size_t(layer)] -= common;
        const RopeParams& rope = m_rope[std::size_t(layer)];
        rotate = [&, common](float* rows, std::int64_t n_rows, std::int64_t new_slot,
                             std::int64_t old_slot) {
            const std::int64_t delta = new_slot - old_slot - common;
            if (delta == 0) return;
            rotateKeyBlock(rows, n_rows, m_config.n_kv_heads, m_config.head_dim, rope,
                           rotationOf(layer, delta));
        };
    }
    cache.compactLayer(layer, kept, rotate);
    for (std::size_t i = 0; i < kept.size(); ++i) {
        cells[i] = cells[std::size_t(kept[i])];
        scores[i] = scores[std::size_t(kept[i])];
    }
    cells.resize(kept.size());
    scores.resize(kept.size());
}

void CacheEvictor::updateScores(const KvCache& cache, const std::vector<Matrix>& attention,
                                std::int64_t n_new, bool prefill) {
    const std::int64_t n_heads = m_config.n_heads;
    for (std::int64_t l = 0; l < m_config.n_layers; ++l) {
        std::vector<double>& scores = m_scores[std::size_t(l)];
        const std::int64_t n = std::int64_t(scores.size());
        const auto headRows = [&](std::int64_t h) -> const Matrix& {
            const Matrix& a = attention[std::size_t(l * n_heads + h)];  // [n_new][n_keys]
            KVSCOPE_EXPECTS(a.rows() == n_new && a.cols() == n);
            return a;
        };
        switch (m_spec.policy) {
            case EvictionPolicy::H2O:  // attention received, accumulated over every query
                for (std::int64_t h = 0; h < n_heads; ++h) {
                    const Matrix& a = headRows(h);
                    for (std::int64_t i = 0; i < n_new; ++i)
                        for (std::int64_t j = 0; j < n; ++j)
                            scores[std::size_t(j)] += a(i, j);
                }
                break;
            case EvictionPolicy::Tova:  // the last query's attention only
                std::fill(scores.begin(), scores.end(), 0.0);
                for (std::int64_t h = 0; h < n_heads; ++h) {
                    const Matrix& a = headRows(h);
                    for (std::int64_t j = 0; j < n; ++j)
                        scores[std::size_t(j)] += a(n_new - 1, j);
                }
                break;
            case EvictionPolicy::SnapKV:  // the observation window's queries, at prefill only
                std::fill(scores.begin(), scores.end(), 0.0);
                if (!prefill) break;
                for (std::int64_t h = 0; h < n_heads; ++h) {
                    const Matrix& a = headRows(h);
                    const std::int64_t obs = std::min(m_spec.effectiveWindow(), n_new);
                    for (std::int64_t i = n_new - obs; i < n_new; ++i)
                        for (std::int64_t j = 0; j < n; ++j)
                            scores[std::size_t(j)] += a(i, j);
                }
                break;
            case EvictionPolicy::KNorm: {  // mean over KV heads of the key's L2 norm
                std::vector<KvRun> runs;
                cache.collectRuns(l, runs);
                const std::int64_t hd = m_config.head_dim, d = m_config.kvDim();
                for (const KvRun& run : runs) {
                    for (std::int64_t s = std::max(run.first_pos, n - n_new);
                         s < run.first_pos + run.n_pos; ++s) {
                        const float* key = run.k + (s - run.first_pos) * d;
                        double total = 0;
                        for (std::int64_t base = 0; base < d; base += hd) {
                            double ss = 0;
                            for (std::int64_t e = 0; e < hd; ++e)
                                ss += double(key[base + e]) * double(key[base + e]);
                            total += std::sqrt(ss);
                        }
                        scores[std::size_t(s)] = total / double(m_config.n_kv_heads);
                    }
                }
                break;
            }
            default:
                break;
        }
    }
}

void CacheEvictor::afterForward(KvCache& cache, const std::vector<Matrix>& attention,
                                std::int64_t first_pos, std::int64_t n_new, bool prefill,
                                std::int64_t prompt_length) {
    for (std::int64_t l = 0; l < m_config.n_layers; ++l) {
        for (std::int64_t i = 0; i < n_new; ++i) {
            m_cells[std::size_t(l)].push_back(first_pos + i);
            m_scores[std::size_t(l)].push_back(0.0);
        }
        KVSCOPE_EXPECTS(std::int64_t(m_cells[std::size_t(l)].size()) == cache.layerLength(l));
    }
    if (m_spec.needsAttention() || m_spec.policy == EvictionPolicy::KNorm)
        updateScores(cache, attention, n_new, prefill);
    if (prefill) {
        for (std::int64_t l = 0; l < m_config.n_layers; ++l) {
            evictLayer(cache, l, m_budgets[std::size_t(l)], first_pos + n_new - 1, true,
                       prompt_length);
        }
    }
}

void CacheEvictor::undo(KvCache& cache) {
    KVSCOPE_EXPECTS(canUndo());
    const StepUndo step = std::move(m_undo.back());
    m_undo.pop_back();
    const std::int64_t d = cache.kvDim();
    for (std::int64_t l = 0; l < m_config.n_layers; ++l) {
        const LayerUndo& log = step.layers[std::size_t(l)];
        m_scores[std::size_t(l)] = log.scores;
        if (log.evicted.empty()) {  // nothing left the layer: the step's rows go, nothing moved
            KVSCOPE_EXPECTS(log.frame == m_frames[std::size_t(l)]);
            cache.truncateLayer(l, std::int64_t(log.positions.size()));
            m_cells[std::size_t(l)] = log.positions;
            continue;
        }
        const std::vector<std::int64_t>& now = m_cells[std::size_t(l)];
        const std::vector<float> k_now = cache.copyKeys(l), v_now = cache.copyValues(l);
        const std::int64_t n_before = std::int64_t(log.positions.size());
        std::vector<float> k(std::size_t(n_before * d)), v(std::size_t(n_before * d));
        std::vector<std::int64_t> delta(std::size_t(n_before), 0);
        std::size_t next_evicted = 0, next_now = 0;
        for (std::int64_t j = 0; j < n_before; ++j) {
            const float *kr, *vr;
            if (next_evicted < log.evicted.size() && log.evicted[next_evicted] == j) {
                kr = log.k.data() + next_evicted * std::size_t(d);
                vr = log.v.data() + next_evicted * std::size_t(d);
                ++next_evicted;
            } else {
                while (now[next_now] != log.positions[std::size_t(j)])
                    ++next_now;
                kr = k_now.data() + next_now * std::size_t(d);
                vr = v_now.data() + next_now * std::size_t(d);
                // Stored at next_now + the frame now; wanted at j + the frame before.
                delta[std::size_t(j)] =
                    j + log.frame - std::int64_t(next_now) - m_frames[std::size_t(l)];
            }
            std::copy_n(kr, d, k.begin() + j * d);
            std::copy_n(vr, d, v.begin() + j * d);
        }
        if (rerotate()) {
            rotateKeyRows(k.data(), n_before, m_config.n_kv_heads, m_config.head_dim,
                          m_rope[std::size_t(l)], delta);
        }
        cache.replaceLayer(l, n_before, k.data(), v.data());
        m_cells[std::size_t(l)] = log.positions;
        m_frames[std::size_t(l)] = log.frame;
    }
}

}  // namespace kvscope

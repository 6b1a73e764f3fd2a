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

/// Appends to k and v the columns [offset, offset + width) of the K and V rows of the given slots
/// (ascending) of `layer`.
void copyRowsAt(const KvCache& cache, std::int64_t layer, const std::vector<std::int64_t>& slots,
                std::int64_t offset, std::int64_t width, std::vector<float>& k,
                std::vector<float>& v) {
    if (slots.empty()) return;
    std::vector<KvRun> runs;
    cache.collectRuns(layer, runs);
    const std::int64_t d = cache.kvDim();
    std::size_t r = 0;
    for (std::int64_t s : slots) {
        while (s >= runs[r].first_pos + runs[r].n_pos)
            ++r;
        const std::int64_t at = (s - runs[r].first_pos) * d + offset;
        k.insert(k.end(), runs[r].k + at, runs[r].k + at + width);
        v.insert(v.end(), runs[r].v + at, runs[r].v + at + width);
    }
}

}  // namespace

bool CacheEvictor::needed(const ModelConfig& config, const EvictionSpec& spec) {
    return spec.bounded() || hasLocalLayers(config);
}

CacheEvictor::CacheEvictor(const ModelConfig& config, EvictionSpec spec, bool keep_undo,
                           const Vector& rope_freqs)
    : m_config(config),
      m_spec(spec),
      m_keep_undo(keep_undo),
      m_budgets(spec.bounded() ? layerBudgets(spec, config.n_layers)
                               : std::vector<std::int64_t>(std::size_t(config.n_layers), 0)),
      m_rots(std::size_t(config.n_layers)),
      m_frames(std::size_t(config.n_layers), 0),
      m_groups(spec.headWise() ? config.n_kv_heads : 1),
      m_cells(std::size_t(config.n_layers), std::vector<Slots>(std::size_t(m_groups))),
      m_scores(std::size_t(config.n_layers),
               std::vector<std::vector<double>>(std::size_t(m_groups))),
      m_union(std::size_t(config.n_layers)) {
    KVSCOPE_EXPECTS(needed(config, spec));
    for (std::int64_t l = 0; l < config.n_layers; ++l) {
        m_windows.push_back(config.layerWindow(l));
        m_rope.push_back(cpu::ropeSpec(config, l, rope_freqs));
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

std::int64_t CacheEvictor::groupOf(std::int64_t head) const {
    return m_groups == 1 ? 0 : head / m_config.kvGroupSize();
}

void CacheEvictor::refreshUnion(std::int64_t layer) {
    if (m_groups == 1) return;
    Slots& u = m_union[std::size_t(layer)];
    u.clear();
    for (const Slots& cells : m_cells[std::size_t(layer)])
        u.insert(u.end(), cells.begin(), cells.end());
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
}

void CacheEvictor::reset() {
    std::fill(m_frames.begin(), m_frames.end(), 0);
    for (auto& layer : m_cells)
        for (Slots& c : layer)
            c.clear();
    for (auto& layer : m_scores)
        for (auto& s : layer)
            s.clear();
    for (Slots& u : m_union)
        u.clear();
    m_undo.clear();
}

void CacheEvictor::beforeStep(KvCache& cache, std::int64_t first_pos, std::int64_t n_new) {
    if (m_keep_undo) {
        StepUndo step;
        step.first_pos = first_pos;
        step.n_new = n_new;
        step.layers.resize(m_cells.size());
        for (std::size_t l = 0; l < m_cells.size(); ++l) {
            LayerUndo& log = step.layers[l];
            log.positions = m_cells[l];
            log.scores = m_scores[l];
            log.frame = m_frames[l];
            log.evicted.resize(std::size_t(m_groups));
            log.k.resize(std::size_t(m_groups));
            log.v.resize(std::size_t(m_groups));
        }
        m_undo.push_back(std::move(step));
    }
    for (std::int64_t l = 0; l < m_config.n_layers; ++l)
        evictLayer(cache, l, m_budgets[std::size_t(l)] - n_new, first_pos + n_new - 1, false, 0);
}

CacheEvictor::Slots CacheEvictor::keptSlots(std::int64_t layer, std::int64_t group,
                                            std::int64_t first, std::int64_t count,
                                            bool after_prefill, std::int64_t prompt_length) const {
    const Slots& cells = m_cells[std::size_t(layer)][std::size_t(group)];
    const std::vector<double>& scores = m_scores[std::size_t(layer)][std::size_t(group)];
    const std::int64_t n = std::int64_t(cells.size());
    if (count == n - first) {  // everything inside the window stays
        Slots all(static_cast<std::size_t>(count));
        for (std::int64_t i = 0; i < count; ++i)
            all[std::size_t(i)] = first + i;
        return all;
    }
    if (count <= 0) return {};
    if (first == 0) {
        return selectKept(m_spec,
                          EvictionInput{.positions = &cells,
                                        .scores = &scores,
                                        .after_prefill = after_prefill,
                                        .prompt_length = prompt_length},
                          count);
    }
    // A local layer: the policy chooses among the entries inside the window.
    const Slots sub_cells(cells.begin() + first, cells.end());
    const std::vector<double> sub_scores(scores.begin() + first, scores.end());
    Slots kept = selectKept(m_spec,
                            EvictionInput{.positions = &sub_cells,
                                          .scores = &sub_scores,
                                          .after_prefill = after_prefill,
                                          .prompt_length = prompt_length},
                            count);
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
    if (!r.built()) r = deltaRotation(m_rope[std::size_t(layer)], delta);
    return r;
}

void CacheEvictor::evictLayer(KvCache& cache, std::int64_t layer, std::int64_t target,
                              std::int64_t horizon, bool after_prefill,
                              std::int64_t prompt_length) {
    std::vector<Slots>& cells = m_cells[std::size_t(layer)];
    std::vector<std::vector<double>>& scores = m_scores[std::size_t(layer)];
    const std::int64_t n = std::int64_t(cells[0].size());
    KVSCOPE_EXPECTS(n == cache.layerLength(layer));
    // The window: the positions the horizon's query can no longer see go first. Then the policy
    // keeps `target` (the same count in every group: the fewest any group has left).
    std::vector<std::int64_t> first(static_cast<std::size_t>(m_groups), 0);
    std::int64_t count = n;
    for (std::int64_t g = 0; g < m_groups; ++g) {
        const Slots& c = cells[std::size_t(g)];
        if (const std::int64_t w = m_windows[std::size_t(layer)]; w > 0) {
            first[std::size_t(g)] =
                std::int64_t(std::upper_bound(c.begin(), c.end(), horizon - w) - c.begin());
        }
        count = std::min(count, n - first[std::size_t(g)]);
    }
    if (m_spec.bounded()) count = std::min(count, std::max<std::int64_t>(target, 0));
    if (count == n) return;
    std::vector<Slots> kept(static_cast<std::size_t>(m_groups));
    for (std::int64_t g = 0; g < m_groups; ++g) {
        kept[std::size_t(g)] =
            keptSlots(layer, g, first[std::size_t(g)], count, after_prefill, prompt_length);
        KVSCOPE_EXPECTS(std::int64_t(kept[std::size_t(g)].size()) == count);
    }
    const std::int64_t width = m_config.kvDim() / m_groups;  // values of one group in a row
    if (m_keep_undo && !m_undo.empty() && !after_prefill) {
        // Only the evicted rows (segments) are copied, not the whole layer.
        LayerUndo& log = m_undo.back().layers[std::size_t(layer)];
        for (std::int64_t g = 0; g < m_groups; ++g) {
            const Slots& k = kept[std::size_t(g)];
            Slots& evicted = log.evicted[std::size_t(g)];
            std::size_t next = 0;
            for (std::int64_t s = 0; s < n; ++s) {
                if (next < k.size() && k[next] == s) {
                    ++next;
                    continue;
                }
                evicted.push_back(s);
            }
            copyRowsAt(cache, layer, evicted, g * width, width, log.k[std::size_t(g)],
                       log.v[std::size_t(g)]);
        }
    }
    KeptKeysFn rotate;
    if (rerotate()) {
        // Kept slot i moves by shift = i - kept[i] (runs of equal shifts). Keys are stored at
        // slot + frame: the new frame absorbs the shift most kept keys share, and a run rotates
        // by its shift minus that one.
        std::int64_t common = 0, best = 0;
        for (const Slots& k : kept) {
            forEachKeptRun(k, [&](std::int64_t i, std::int64_t run) {
                if (run > best) best = run, common = i - k[std::size_t(i)];
            });
        }
        m_frames[std::size_t(layer)] -= common;
        const cpu::RopeSpec& rope = m_rope[std::size_t(layer)];
        rotate = [&, common, width](float* rows, std::int64_t n_rows, std::int64_t,
                                    std::int64_t new_slot, std::int64_t old_slot) {
            const std::int64_t delta = new_slot - old_slot - common;
            if (delta == 0) return;
            rotateKeyBlock(rows, n_rows, m_config.kvDim(), width, rope, rotationOf(layer, delta));
        };
    }
    cache.compactLayer(layer, kept, rotate);
    for (std::int64_t g = 0; g < m_groups; ++g) {
        Slots& c = cells[std::size_t(g)];
        std::vector<double>& sc = scores[std::size_t(g)];
        const Slots& k = kept[std::size_t(g)];
        for (std::size_t i = 0; i < k.size(); ++i) {
            c[i] = c[std::size_t(k[i])];
            sc[i] = sc[std::size_t(k[i])];
        }
        c.resize(k.size());
        sc.resize(k.size());
    }
    refreshUnion(layer);
}

void CacheEvictor::updateScores(const KvCache& cache, const std::vector<Matrix>& attention,
                                std::int64_t n_new, bool prefill) {
    const std::int64_t n_heads = m_config.n_heads;
    for (std::int64_t l = 0; l < m_config.n_layers; ++l) {
        std::vector<std::vector<double>>& layer_scores = m_scores[std::size_t(l)];
        const std::int64_t n = std::int64_t(layer_scores[0].size());
        const auto headRows = [&](std::int64_t h) -> const Matrix& {
            const Matrix& a = attention[std::size_t(l * n_heads + h)];  // [n_new][n_keys]
            KVSCOPE_EXPECTS(a.rows() == n_new && a.cols() == n);
            return a;
        };
        // A group's score sums its query heads (per head: the KV head's GQA query group).
        switch (m_spec.policy) {
            case EvictionPolicy::H2O:  // attention received, accumulated over every query
                for (std::int64_t h = 0; h < n_heads; ++h) {
                    std::vector<double>& scores = layer_scores[std::size_t(groupOf(h))];
                    const Matrix& a = headRows(h);
                    for (std::int64_t i = 0; i < n_new; ++i)
                        for (std::int64_t j = 0; j < n; ++j)
                            scores[std::size_t(j)] += a(i, j);
                }
                break;
            case EvictionPolicy::Tova:  // the last query's attention only
                for (auto& scores : layer_scores)
                    std::fill(scores.begin(), scores.end(), 0.0);
                for (std::int64_t h = 0; h < n_heads; ++h) {
                    std::vector<double>& scores = layer_scores[std::size_t(groupOf(h))];
                    const Matrix& a = headRows(h);
                    for (std::int64_t j = 0; j < n; ++j)
                        scores[std::size_t(j)] += a(n_new - 1, j);
                }
                break;
            case EvictionPolicy::SnapKV:  // the observation window's queries, at prefill only
                for (auto& scores : layer_scores)
                    std::fill(scores.begin(), scores.end(), 0.0);
                if (!prefill) break;
                for (std::int64_t h = 0; h < n_heads; ++h) {
                    std::vector<double>& scores = layer_scores[std::size_t(groupOf(h))];
                    const Matrix& a = headRows(h);
                    const std::int64_t obs = std::min(m_spec.effectiveWindow(), n_new);
                    for (std::int64_t i = n_new - obs; i < n_new; ++i)
                        for (std::int64_t j = 0; j < n; ++j)
                            scores[std::size_t(j)] += a(i, j);
                }
                break;
            case EvictionPolicy::KNorm: {  // mean over the group's KV heads of the key's L2 norm
                std::vector<KvRun> runs;
                cache.collectRuns(l, runs);
                const std::int64_t hd = m_config.head_dim, d = m_config.kvDim();
                const std::int64_t heads_per_group = m_config.n_kv_heads / m_groups;
                for (const KvRun& run : runs) {
                    for (std::int64_t s = std::max(run.first_pos, n - n_new);
                         s < run.first_pos + run.n_pos; ++s) {
                        const float* key = run.k + (s - run.first_pos) * d;
                        for (std::int64_t g = 0; g < m_groups; ++g) {
                            double total = 0;
                            for (std::int64_t kvh = g * heads_per_group;
                                 kvh < (g + 1) * heads_per_group; ++kvh) {
                                double ss = 0;
                                for (std::int64_t e = 0; e < hd; ++e)
                                    ss += double(key[kvh * hd + e]) * double(key[kvh * hd + e]);
                                total += std::sqrt(ss);
                            }
                            layer_scores[std::size_t(g)][std::size_t(s)] =
                                total / double(heads_per_group);
                        }
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
        for (std::int64_t g = 0; g < m_groups; ++g) {
            Slots& cells = m_cells[std::size_t(l)][std::size_t(g)];
            for (std::int64_t i = 0; i < n_new; ++i)
                cells.push_back(first_pos + i);
            m_scores[std::size_t(l)][std::size_t(g)].resize(cells.size(), 0.0);
            KVSCOPE_EXPECTS(std::int64_t(cells.size()) == cache.layerLength(l));
        }
        refreshUnion(l);
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
    const std::int64_t d = cache.kvDim(), width = d / m_groups;
    for (std::int64_t l = 0; l < m_config.n_layers; ++l) {
        const LayerUndo& log = step.layers[std::size_t(l)];
        m_scores[std::size_t(l)] = log.scores;
        const std::int64_t n_before = std::int64_t(log.positions[0].size());
        bool evicted = false;
        for (const Slots& e : log.evicted)
            evicted = evicted || !e.empty();
        if (!evicted) {  // nothing left the layer: the step's rows go, nothing moved
            KVSCOPE_EXPECTS(log.frame == m_frames[std::size_t(l)]);
            cache.truncateLayer(l, n_before);
            m_cells[std::size_t(l)] = log.positions;
            refreshUnion(l);
            continue;
        }
        const std::vector<float> k_now = cache.copyKeys(l), v_now = cache.copyValues(l);
        std::vector<float> k(std::size_t(n_before * d)), v(std::size_t(n_before * d));
        for (std::int64_t g = 0; g < m_groups; ++g) {
            const Slots& before = log.positions[std::size_t(g)];
            const Slots& now = m_cells[std::size_t(l)][std::size_t(g)];
            const Slots& gone = log.evicted[std::size_t(g)];
            std::size_t next_evicted = 0, next_now = 0;
            for (std::int64_t j = 0; j < n_before; ++j) {
                float* kj = k.data() + j * d + g * width;
                float* vj = v.data() + j * d + g * width;
                if (next_evicted < gone.size() && gone[next_evicted] == j) {
                    const std::size_t at = next_evicted * std::size_t(width);
                    std::copy_n(log.k[std::size_t(g)].begin() + std::ptrdiff_t(at), width, kj);
                    std::copy_n(log.v[std::size_t(g)].begin() + std::ptrdiff_t(at), width, vj);
                    ++next_evicted;
                    continue;
                }
                while (now[next_now] != before[std::size_t(j)])
                    ++next_now;
                const std::int64_t from = std::int64_t(next_now) * d + g * width;
                std::copy_n(k_now.begin() + from, width, kj);
                std::copy_n(v_now.begin() + from, width, vj);
                // Stored at next_now + the frame now; wanted at j + the frame before.
                const std::int64_t delta =
                    j + log.frame - std::int64_t(next_now) - m_frames[std::size_t(l)];
                if (rerotate() && delta != 0) {
                    rotateKeyBlock(kj, 1, d, width, m_rope[std::size_t(l)], rotationOf(l, delta));
                }
            }
        }
        // The paged layout puts the rows back in their places (rows there are positions).
        cache.restoreLayer(l, log.positions, step.first_pos, n_before, k.data(), v.data());
        m_cells[std::size_t(l)] = log.positions;
        m_frames[std::size_t(l)] = log.frame;
        refreshUnion(l);
    }
}

}  // namespace kvscope

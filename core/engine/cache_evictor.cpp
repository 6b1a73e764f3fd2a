#include "core/engine/cache_evictor.h"

#include <algorithm>
#include <cmath>

#include "core/util/check.h"

namespace kvscope {

CacheEvictor::CacheEvictor(const ModelConfig& config, EvictionSpec spec, bool keep_undo)
    : m_config(config),
      m_spec(spec),
      m_keep_undo(keep_undo),
      m_budgets(layerBudgets(spec, config.n_layers)),
      m_cells(std::size_t(config.n_layers)),
      m_scores(std::size_t(config.n_layers)) {
    KVSCOPE_EXPECTS(spec.bounded());
}

void CacheEvictor::reset() {
    for (auto& c : m_cells)
        c.clear();
    for (auto& s : m_scores)
        s.clear();
    m_undo.clear();
}

void CacheEvictor::beforeStep(KvCache& cache, std::int64_t n_new) {
    if (m_keep_undo) {
        StepUndo step;
        step.n_new = n_new;
        step.layers.resize(m_cells.size());
        for (std::size_t l = 0; l < m_cells.size(); ++l) {
            step.layers[l].positions = m_cells[l];
            step.layers[l].scores = m_scores[l];
        }
        m_undo.push_back(std::move(step));
    }
    for (std::int64_t l = 0; l < m_config.n_layers; ++l)
        evictLayer(cache, l, m_budgets[std::size_t(l)] - n_new, false, 0);
}

void CacheEvictor::evictLayer(KvCache& cache, std::int64_t layer, std::int64_t target,
                              bool after_prefill, std::int64_t prompt_length) {
    std::vector<std::int64_t>& cells = m_cells[std::size_t(layer)];
    std::vector<double>& scores = m_scores[std::size_t(layer)];
    KVSCOPE_EXPECTS(std::int64_t(cells.size()) == cache.layerLength(layer));
    const std::int64_t n = std::int64_t(cells.size());
    if (n <= std::max<std::int64_t>(target, 0)) return;
    std::vector<std::int64_t> kept;
    if (target > 0) {
        const EvictionInput in{.positions = &cells,
                               .scores = &scores,
                               .after_prefill = after_prefill,
                               .prompt_length = prompt_length};
        kept = selectKept(m_spec, in, target);
    }
    const std::int64_t d = cache.kvDim();
    const bool need_rows = (m_keep_undo && !m_undo.empty()) || rerotate();
    std::vector<float> k_all, v_all;               // [n][kv_dim] as stored
    if (need_rows) k_all = cache.copyKeys(layer);  // O(n x kv_dim), as the step's attention
    if (m_keep_undo && !m_undo.empty() && !after_prefill) {
        v_all = cache.copyValues(layer);
        LayerUndo& log = m_undo.back().layers[std::size_t(layer)];
        std::size_t next = 0;
        for (std::int64_t s = 0; s < n; ++s) {
            if (next < kept.size() && kept[next] == s) {
                ++next;
                continue;
            }
            log.evicted.push_back(s);
            log.k.insert(log.k.end(), k_all.begin() + s * d, k_all.begin() + (s + 1) * d);
            log.v.insert(log.v.end(), v_all.begin() + s * d, v_all.begin() + (s + 1) * d);
        }
    }
    std::vector<float> new_k;  // [kept][kv_dim] re-rotated to their new slots
    if (rerotate()) {
        std::vector<std::int64_t> delta(kept.size());
        for (std::size_t i = 0; i < kept.size(); ++i) {
            delta[i] = std::int64_t(i) - kept[i];
            new_k.insert(new_k.end(), k_all.begin() + kept[i] * d,
                         k_all.begin() + (kept[i] + 1) * d);
        }
        rotateKeys(new_k, delta);
    }
    cache.compactLayer(layer, kept, new_k);
    std::vector<std::int64_t> kept_cells(kept.size());
    std::vector<double> kept_scores(kept.size());
    for (std::size_t i = 0; i < kept.size(); ++i) {
        kept_cells[i] = cells[std::size_t(kept[i])];
        kept_scores[i] = scores[std::size_t(kept[i])];
    }
    cells = std::move(kept_cells);
    scores = std::move(kept_scores);
}

void CacheEvictor::rotateKeys(std::vector<float>& k, const std::vector<std::int64_t>& delta) const {
    const std::int64_t hd = m_config.head_dim, d = m_config.kvDim();
    // cos/sin of one delta for every pair ([head_dim / 2] each), computed once per distinct
    // delta: after a streaming cut every shifted key moves by the same amount.
    std::int64_t table_delta = 0;
    std::vector<float> cos_t, sin_t;
    for (std::size_t i = 0; i < delta.size(); ++i) {
        if (delta[i] == 0) continue;
        if (cos_t.empty() || delta[i] != table_delta) {
            table_delta = delta[i];
            cos_t.resize(std::size_t(hd / 2));
            sin_t.resize(std::size_t(hd / 2));
            for (std::int64_t p = 0; p < hd / 2; ++p) {
                // The frequencies of cpu::ropeTable, so a rotation by delta composes with it.
                const float freq = 1.0f / std::pow(m_config.rope_theta, float(2 * p) / float(hd));
                const float angle = float(table_delta) * freq;
                cos_t[std::size_t(p)] = std::cos(angle);
                sin_t[std::size_t(p)] = std::sin(angle);
            }
        }
        float* row = k.data() + std::int64_t(i) * d;  // [n_kv_heads][head_dim]
        for (std::int64_t base = 0; base < d; base += hd) {
            for (std::int64_t p = 0; p < hd / 2; ++p) {
                const float c = cos_t[std::size_t(p)], s = sin_t[std::size_t(p)];
                float* pair = row + base + 2 * p;
                const float a = pair[0], b = pair[1];
                pair[0] = a * c - b * s;
                pair[1] = a * s + b * c;
            }
        }
    }
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
        for (std::int64_t l = 0; l < m_config.n_layers; ++l)
            evictLayer(cache, l, m_budgets[std::size_t(l)], true, prompt_length);
    }
}

void CacheEvictor::undo(KvCache& cache) {
    KVSCOPE_EXPECTS(canUndo());
    const StepUndo step = std::move(m_undo.back());
    m_undo.pop_back();
    const std::int64_t d = cache.kvDim();
    for (std::int64_t l = 0; l < m_config.n_layers; ++l) {
        const LayerUndo& log = step.layers[std::size_t(l)];
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
                delta[std::size_t(j)] = j - std::int64_t(next_now);
            }
            std::copy_n(kr, d, k.begin() + j * d);
            std::copy_n(vr, d, v.begin() + j * d);
        }
        if (rerotate()) rotateKeys(k, delta);
        cache.replaceLayer(l, n_before, k.data(), v.data());
        m_cells[std::size_t(l)] = log.positions;
        m_scores[std::size_t(l)] = log.scores;
    }
}

}  // namespace kvscope

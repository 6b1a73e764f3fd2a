#include "core/engine/session.h"

#include <chrono>
#include <string>

#include "core/cache/contiguous_kv_cache.h"
#include "core/cache/paged_kv_cache.h"
#include "core/engine/backend_select.h"
#include "core/engine/cache_evictor.h"
#include "core/util/check.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

std::int64_t resolveMaxContext(const Model& model, const SessionOptions& options) {
    if (options.max_context < 0) {
        throw InputError("session: max_context must be >= 0 (0 = the model's), got " +
                         std::to_string(options.max_context));
    }
    return options.max_context > 0 ? options.max_context : model.config.max_context;
}

std::unique_ptr<KvCache> makeCache(const ModelConfig& c, const SessionOptions& options,
                                   std::int64_t max_context) {
    if (options.cache_layout == CacheLayout::Contiguous) {
        return std::make_unique<ContiguousKvCache>(c.n_layers, c.n_kv_heads, c.head_dim,
                                                   max_context, options.cache_spec);
    }
    if (options.block_size <= 0) {
        throw InputError("session: block_size must be > 0, got " +
                         std::to_string(options.block_size));
    }
    // One sequence of max_context positions: just enough blocks, the last one maybe partial.
    const std::int64_t n_blocks = (max_context + options.block_size - 1) / options.block_size;
    auto cache = std::make_unique<PagedKvCache>(c.n_layers, c.n_kv_heads, c.head_dim,
                                                options.block_size, n_blocks, options.cache_spec);
    cache->setCurrent(cache->addSequence());
    return cache;
}

}  // namespace

Session::Session(std::shared_ptr<const Model> model, SessionOptions options,
                 std::unique_ptr<Backend> backend)
    : m_model(std::move(model)),
      m_options(options),
      m_max_context(resolveMaxContext(*m_model, m_options)),
      // No backend given: the requested one (core/engine/backend_select.h), the CPU unless
      // --backend or the window asked for CUDA.
      m_backend(backend ? std::move(backend) : makeRequestedBackend(0)),
      m_sampler(m_options.sampling) {
    m_model->config.validate();
    if (m_options.record_top_k < 0) {
        throw InputError("session: record_top_k must be >= 0, got " +
                         std::to_string(m_options.record_top_k));
    }
    m_cache = makeCache(m_model->config, m_options, m_max_context);
    if (m_options.mode == CacheMode::Recompute) m_options.eviction = EvictionSpec{};
    checkEvictionSpec(m_options.eviction, m_max_context);
    // The evictor holds the cells of every bounded layer: a policy's, and the model's own
    // sliding-window layers even with policy full.
    if (m_options.mode == CacheMode::Cached &&
        CacheEvictor::needed(m_model->config, m_options.eviction)) {
        m_evictor = std::make_unique<CacheEvictor>(
            m_model->config, m_options.eviction, m_options.eviction_undo,
            m_model->weights.ropeFactors(m_model->config, m_max_context));
    }
}

bool Session::canUndo() const {
    if (m_records.empty()) return false;
    return !m_evictor || m_records.size() == 1 || m_evictor->canUndo();
}

Session::~Session() = default;

TokenId Session::pendingToken() const {
    KVSCOPE_EXPECTS(!m_records.empty());
    return m_records.back().next_token;
}

const StepRecord& Session::prefill(std::span<const TokenId> tokens) {
    if (!m_records.empty()) throw InputError("session: prefill() called twice; reset() first");
    if (tokens.empty()) throw InputError("session: the prompt is empty (put BOS in front)");
    return run(tokens, Phase::Prefill);
}

const StepRecord& Session::step() {
    if (m_records.empty()) throw InputError("session: step() before prefill()");
    const TokenId token = pendingToken();
    return run(std::span<const TokenId>(&token, 1), Phase::Decode);
}

const StepRecord& Session::stepForced(TokenId token) {
    if (m_records.empty()) throw InputError("session: stepForced() before prefill()");
    return run(std::span<const TokenId>(&token, 1), Phase::Decode);
}

const StepRecord& Session::run(std::span<const TokenId> new_tokens, Phase phase) {
    const ModelConfig& c = m_model->config;
    const std::int64_t n_new = std::int64_t(new_tokens.size());
    if (position() + n_new > m_max_context) {
        throw InputError("session: context full: " + std::to_string(position()) + " + " +
                         std::to_string(n_new) + " tokens exceed the context limit of " +
                         std::to_string(m_max_context));
    }
    for (TokenId id : new_tokens) {
        if (id < 0 || id >= c.vocab) {
            throw InputError("session: token id " + std::to_string(id) +
                             " is outside the vocab [0, " + std::to_string(c.vocab) + ")");
        }
    }

    const auto started = std::chrono::steady_clock::now();
    StepRecord record;
    record.phase = phase;
    record.first_pos = position();
    record.tokens.assign(new_tokens.begin(), new_tokens.end());
    m_sampler_before.push_back(m_sampler.state());
    m_tokens.insert(m_tokens.end(), new_tokens.begin(), new_tokens.end());

    // Cached: feed only the new tokens over the held K/V. Recompute: no cache survives a step,
    // so the whole sequence is run again from position 0 (the O(n^2) baseline).
    const bool recompute = m_options.mode == CacheMode::Recompute;
    const std::int64_t start = recompute ? 0 : record.first_pos;
    if (recompute) m_cache->clear();
    const std::span<const TokenId> fed(m_tokens.data() + start,
                                       m_tokens.size() - std::size_t(start));
    const auto ms_since = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t)
            .count();
    };
    if (m_evictor && phase == Phase::Decode) {
        const auto t = std::chrono::steady_clock::now();
        m_evictor->beforeStep(*m_cache, record.first_pos, n_new);
        record.evict_ms += ms_since(t);
    }
    if (phase == Phase::Prefill) m_prompt_length = n_new;
    const std::int64_t held_before = m_cache->length();
    ForwardOutput out;
    m_backend->forward(
        *m_model, *m_cache, fed, start,
        ForwardOptions{
            .all_logits = false,
            .want_attention = m_options.record_attention || m_options.eviction.needsAttention(),
            .rope_start = m_evictor ? m_evictor->ropeStarts(*m_cache) : std::vector<std::int64_t>{},
            .n_ctx = m_max_context},
        out);
    if (recompute) m_cache->clear();
    // The attention rows cover the slots the layer held; a bounded cache's views want them by
    // position: [n_new][positionsAfter], zero in the columns of evicted positions. Per head each
    // KV head's slots hold its own positions: [n_layers][n_kv_heads] of [held before].
    std::vector<std::vector<std::vector<std::int64_t>>> slot_positions;
    if (m_evictor && m_options.record_attention) {
        for (std::int64_t l = 0; l < c.n_layers; ++l) {
            slot_positions.emplace_back();
            for (std::int64_t kvh = 0; kvh < c.n_kv_heads; ++kvh)
                slot_positions.back().push_back(m_evictor->headPositions(l, kvh));
        }
    }
    if (m_evictor) {
        const auto t = std::chrono::steady_clock::now();
        m_evictor->afterForward(*m_cache, out.attention, record.first_pos, n_new,
                                phase == Phase::Prefill, m_prompt_length);
        record.evict_ms += ms_since(t);
    }

    m_last_logits = out.logits.row(0).transpose();
    record.next_token = m_sampler.sample(m_last_logits);
    record.top_k = topTokens(m_last_logits, m_options.record_top_k);
    record.next_prob = tokenProbability(m_last_logits, record.next_token);
    record.layers.resize(std::size_t(c.n_layers));
    for (std::int64_t l = 0; l < c.n_layers; ++l) {
        LayerRecord& layer = record.layers[std::size_t(l)];
        layer.k_bytes = m_cache->kBytesUsed(l);
        layer.v_bytes = m_cache->vBytesUsed(l);
        layer.bytes_allocated = m_cache->bytesAllocated(l);
        if (!m_options.record_attention) continue;
        if (m_evictor) {
            layer.held_positions = m_evictor->positions(l);
            if (m_evictor->perHead()) {
                for (std::int64_t kvh = 0; kvh < c.n_kv_heads; ++kvh)
                    layer.held_positions_per_head.push_back(m_evictor->headPositions(l, kvh));
            }
        }
        for (std::int64_t h = 0; h < c.n_heads; ++h) {
            Matrix& rows = out.attention[std::size_t(l * c.n_heads + h)];  // [fed][n_keys]
            if (!m_evictor) {
                layer.attention.emplace_back(rows.bottomRows(n_new));  // this step's rows
                continue;
            }
            // Slots before the pass, then the new tokens: scattered to their positions.
            const std::vector<std::int64_t>& held =
                slot_positions[std::size_t(l)][std::size_t(h / c.kvGroupSize())];
            Matrix by_pos = Matrix::Zero(n_new, record.positionsAfter());
            const std::int64_t n_held = std::int64_t(held.size());
            for (std::int64_t j = 0; j < rows.cols(); ++j) {
                const std::int64_t pos =
                    j < n_held ? held[std::size_t(j)] : record.first_pos + (j - n_held);
                by_pos.col(pos) = rows.col(j);
            }
            layer.attention.push_back(std::move(by_pos));
        }
    }
    record.cost = forwardCost(c, recompute ? start : held_before, std::int64_t(fed.size()), 1,
                              storedWeightBytes(m_model->weights, c));
    record.wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    m_records.push_back(std::move(record));
    return m_records.back();
}

void Session::undo() {
    KVSCOPE_EXPECTS(canUndo());
    const StepRecord& last = m_records.back();
    m_tokens.resize(std::size_t(last.first_pos));
    if (m_evictor && last.phase == Phase::Decode) {
        m_evictor->undo(*m_cache);
    } else if (m_options.mode == CacheMode::Cached) {
        m_cache->truncate(last.first_pos);
        if (m_evictor) m_evictor->reset();
    }
    m_sampler.restore(m_sampler_before.back());
    m_sampler_before.pop_back();
    m_records.pop_back();
    m_last_logits.resize(0);  // the restored step's logits are not kept; the next step refills
}

void Session::reset() {
    m_cache->clear();
    if (m_evictor) m_evictor->reset();
    m_tokens.clear();
    m_records.clear();
    m_sampler_before.clear();
    m_sampler = Sampler(m_options.sampling);
    m_last_logits.resize(0);
}

}  // namespace kvscope

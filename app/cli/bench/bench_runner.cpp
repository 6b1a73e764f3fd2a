#include "app/cli/bench/bench_runner.h"

#include <chrono>
#include <stdexcept>
#include <vector>

#include "app/cli/stats.h"
#include "core/engine/backend_select.h"
#include "core/engine/session.h"
#include "core/model/random_weights.h"

namespace kvscope::cli {

namespace {

/// BOS then `n - 1` seeded ids from the byte range (valid in every bench model's vocab).
std::vector<TokenId> madeUpTokens(const Model& model, std::int64_t n) {
    SeededStream rng{std::uint64_t(n)};
    std::vector<TokenId> tokens{model.tokenizer->bos()};
    while (std::int64_t(tokens.size()) < n) {
        tokens.push_back(TokenId(ByteTokenizer::kFirstByte + rng.nextU64() % 256));
    }
    return tokens;
}

}  // namespace

DecodeTiming timeDecode(std::shared_ptr<const Model> model, CacheMode mode, int n_threads,
                        std::int64_t context, int n_steps, const KvCacheSpec& spec,
                        const EvictionSpec& eviction, CacheLayout layout) {
    if (context < 2 || n_steps < 1) throw std::logic_error("timeDecode: context >= 2, steps >= 1");
    SessionOptions options;
    options.mode = mode;
    options.max_context = context + n_steps;  // may exceed the model's training length
    options.record_attention = false;
    options.record_top_k = 0;
    options.cache_spec = spec;
    options.eviction = eviction;
    options.eviction_undo = false;
    options.cache_layout = layout;
    const std::vector<TokenId> prompt = madeUpTokens(*model, context - 1);
    Session session(model, options, makeRequestedBackend(n_threads));
    const auto prefill_start = std::chrono::steady_clock::now();
    session.prefill(prompt);
    const double prefill_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - prefill_start).count();

    DecodeTiming timing;
    timing.prefill_tokens_per_s = prefill_s > 0 ? double(prompt.size()) / prefill_s : 0;
    timing.weight_bytes = double(model->weights.storedBytesPerToken(model->config));
    timing.context = context;
    timing.n_steps = n_steps;
    std::vector<double> ms, evict_ms;
    for (int s = 0; s < n_steps; ++s) {
        const auto start = std::chrono::steady_clock::now();
        const StepRecord& record = session.step();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
        evict_ms.push_back(record.evict_ms);
        timing.kv_bytes_read += record.cost.kv_bytes_read / n_steps;
        timing.flops += record.cost.flops / n_steps;
    }
    timing.ms_per_token = median(ms);
    timing.evict_ms = median(evict_ms);
    return timing;
}

}  // namespace kvscope::cli

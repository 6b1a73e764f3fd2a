#include "ui/evict/evict_eval_thread.h"

#include <set>

#include "core/eval/quant_eval.h"
#include "core/memory/bounded_cache.h"
#include "core/memory/live_cache_spec.h"
#include "core/memory/model_shape.h"
#include "core/model/prompt_tokens.h"
#include "core/trace/make_trace.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

// Stages: model + the full cache's continuation, the full cache's run, the policy's run.
constexpr int kStages = 3;

/// Bytes after every compared step (positions held: the prompt, then one more per step).
EvictStepBytes stepBytes(const ModelConfig& config, const EvictRequest& request,
                         std::int64_t prompt_tokens, std::int64_t n_steps) {
    const ModelShape shape = shapeFromModelConfig(config, "model");
    const CacheSpec cache =
        estimatorCacheSpec(KvCacheSpec{}, request.layout, request.block_size, config.max_context);
    EvictStepBytes out;
    for (std::int64_t i = 0; i < n_steps; ++i) {
        const std::int64_t tokens = prompt_tokens + i;
        const BoundedCacheBytes full = boundedCacheBytes(shape, cache, EvictionSpec{}, tokens);
        const BoundedCacheBytes bounded = boundedCacheBytes(shape, cache, request.spec, tokens);
        out.full_logical.push_back(double(full.logical));
        out.full_physical.push_back(double(full.physical));
        out.logical.push_back(double(bounded.logical));
        out.physical.push_back(double(bounded.physical));
    }
    return out;
}

}  // namespace

EvictEvalThread::EvictEvalThread(QObject* parent) : ComparisonThread(parent) {}

EvictEvalThread::~EvictEvalThread() {
    cancel();
    wait();
}

void EvictEvalThread::start(const EvictRequest& request) {
    m_request = request;
    m_run.reset();
    begin();
}

void EvictEvalThread::work() {
    emit progress(0, kStages,
                  tr("loading %1, the full cache's greedy continuation").arg(m_request.reference));
    const std::shared_ptr<const Model> model = modelFor(m_request.reference);
    const std::vector<TokenId> prompt = promptTokens(*model, m_request.prompt.toStdString());
    const std::int64_t n = std::int64_t(prompt.size()) + m_request.steps;
    if (n > model->config.max_context)
        throw InputError("Steps: the prompt's " + std::to_string(prompt.size()) + " tokens + " +
                         std::to_string(m_request.steps) + " steps exceed the context of " +
                         std::to_string(model->config.max_context));
    checkEvictionSpec(m_request.spec, model->config.max_context);
    const std::vector<TokenId> tokens = greedyContinuation(model, prompt, m_request.steps);
    if (cancelRequested()) {
        markCancelled();
        return;
    }
    emit progress(1, kStages, tr("the full cache"));

    EvictEvalOptions options;
    options.cache_layout = m_request.layout;
    options.block_size = m_request.block_size;
    options.prefill_tokens = std::int64_t(prompt.size());
    options.free_steps = m_request.steps;
    auto run = std::make_shared<EvictRun>();
    run->request = m_request;
    run->config = model->config;
    run->prompt_tokens = std::int64_t(prompt.size());
    const EvictionSpec specs[] = {m_request.spec};
    const QString label = QString::fromStdString(m_request.spec.label());
    run->result = runEvictEval(model, tokens, specs, options,
                               [this, &label](std::int64_t done, std::int64_t total) {
                                   if (done < total) emit progress(1 + int(done), kStages, label);
                                   return !cancelRequested();
                               });
    if (run->result.cancelled || run->result.rows.empty()) {
        markCancelled();
        return;
    }
    run->bytes =
        stepBytes(model->config, m_request, run->prompt_tokens, run->result.rows.front().n_steps);
    std::set<TokenId> ids(tokens.begin(), tokens.end());
    ids.insert(run->result.reference.free_tokens.begin(), run->result.reference.free_tokens.end());
    ids.insert(run->result.rows.front().free_tokens.begin(),
               run->result.rows.front().free_tokens.end());
    run->tokens = traceTokens(*model->tokenizer, ids);
    emit progress(kStages, kStages, tr("done"));
    m_run = std::move(run);
}

}  // namespace kvscope

#include "ui/evict/evict_eval_thread.h"

#include "core/memory/bounded_cache.h"
#include "core/memory/live_cache_spec.h"
#include "core/memory/model_shape.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

/// Bytes after every compared step (positions held: the prompt, then one more per step): the
/// full cache's and the bounded cache's logical figure from the estimator (exact: they depend on
/// how many entries are held, never which), the full cache's physical figure too (its positions
/// are known). The bounded cache's physical figure and holes come from its live cache
/// (EvictEvalRow::step_physical_bytes): under a score policy on the paged layout which blocks
/// stay allocated depends on which positions the scores kept, and the estimator without them
/// gives only an upper bound.
void estimatedBytes(const ModelConfig& config, const EvictRequest& request,
                    std::int64_t prompt_tokens, std::int64_t n_steps, EvictStepBytes& out) {
    const ModelShape shape = shapeFromModelConfig(config, "model");
    const CacheSpec cache =
        estimatorCacheSpec(KvCacheSpec{}, request.layout, request.block_size, config.max_context);
    for (std::int64_t i = 0; i < n_steps; ++i) {
        const std::int64_t tokens = prompt_tokens + i;
        const BoundedCacheBytes full = boundedCacheBytes(shape, cache, EvictionSpec{}, tokens);
        const BoundedCacheBytes bounded = boundedCacheBytes(shape, cache, request.spec, tokens);
        out.full_logical.push_back(double(full.logical));
        out.full_physical.push_back(double(full.physical));
        out.logical.push_back(double(bounded.logical));
    }
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
    const std::optional<Sequence> sequence = prepareSequence(
        m_request.reference, m_request.prompt, m_request.steps,
        tr("loading %1, the full cache's greedy continuation").arg(m_request.reference),
        tr("the full cache"), [this](const Model& model, std::int64_t n) {
            if (n > model.config.max_context)
                throw InputError("Steps: the prompt's " + std::to_string(n - m_request.steps) +
                                 " tokens + " + std::to_string(m_request.steps) +
                                 " steps exceed the context of " +
                                 std::to_string(model.config.max_context));
            checkEvictionSpec(m_request.spec, model.config.max_context);
        });
    if (!sequence) return;

    EvictEvalOptions options;
    options.cache_layout = m_request.layout;
    options.block_size = m_request.block_size;
    options.prefill_tokens = sequence->prompt_tokens;
    options.free_steps = m_request.steps;
    auto run = std::make_shared<EvictRun>();
    run->request = m_request;
    run->config = sequence->model->config;
    run->prompt_tokens = sequence->prompt_tokens;
    const EvictionSpec specs[] = {m_request.spec};
    run->result = runEvictEval(sequence->model, sequence->tokens, specs, options,
                               stageProgress(QString::fromStdString(m_request.spec.label())));
    if (run->result.cancelled || run->result.rows.empty()) {
        markCancelled();
        return;
    }
    const std::int64_t n_steps = run->result.rows.front().n_steps;
    estimatedBytes(run->config, m_request, run->prompt_tokens, n_steps, run->bytes);
    const EvictEvalRow& row = run->result.rows.front();
    run->bytes.physical.assign(row.step_physical_bytes.begin(), row.step_physical_bytes.end());
    run->bytes.holes = row.step_holes;
    run->tokens = tokenLabels(
        *sequence, {&run->result.reference.free_tokens, &run->result.rows.front().free_tokens});
    finishStages();
    m_run = std::move(run);
}

}  // namespace kvscope

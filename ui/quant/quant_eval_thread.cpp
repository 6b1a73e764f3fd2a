#include "ui/quant/quant_eval_thread.h"

#include <set>

#include "core/model/prompt_tokens.h"
#include "core/trace/make_trace.h"

namespace kvscope {

namespace {

// Stages: model + fp32 continuation, the fp32 reference run, the spec's run.
constexpr int kStages = 3;

}  // namespace

QuantEvalThread::QuantEvalThread(QObject* parent) : ComparisonThread(parent) {}

QuantEvalThread::~QuantEvalThread() {
    cancel();
    wait();
}

void QuantEvalThread::start(const QuantRequest& request) {
    m_request = request;
    m_run.reset();
    begin();
}

void QuantEvalThread::work() {
    emit progress(0, kStages, tr("loading %1, fp32 greedy continuation").arg(m_request.reference));
    const std::shared_ptr<const Model> model = modelFor(m_request.reference);
    const std::vector<TokenId> prompt = promptTokens(*model, m_request.prompt.toStdString());
    checkQuantEvalFits(model->config, m_request.spec,
                       std::int64_t(prompt.size()) + m_request.steps);
    const std::vector<TokenId> tokens = greedyContinuation(model, prompt, m_request.steps);
    if (cancelRequested()) {
        markCancelled();
        return;
    }
    emit progress(1, kStages, tr("fp32 reference"));

    QuantEvalOptions options;
    options.free_prompt_tokens = std::int64_t(prompt.size());
    options.free_steps = m_request.steps;
    options.keep_attention = true;
    auto run = std::make_shared<QuantRun>();
    run->request = m_request;
    run->config = model->config;
    run->prompt_tokens = std::int64_t(prompt.size());
    const KvCacheSpec specs[] = {m_request.spec};
    const QString label = QString::fromStdString(m_request.spec.label());
    run->result = runQuantEval(model, tokens, specs, options,
                               [this, &label](std::int64_t done, std::int64_t total) {
                                   if (done < total) emit progress(1 + int(done), kStages, label);
                                   return !cancelRequested();
                               });
    if (run->result.cancelled || run->result.rows.empty()) {
        markCancelled();
        return;
    }
    std::set<TokenId> ids(tokens.begin(), tokens.end());
    ids.insert(run->result.rows.front().free_tokens.begin(),
               run->result.rows.front().free_tokens.end());
    run->tokens = traceTokens(*model->tokenizer, ids);
    emit progress(kStages, kStages, tr("done"));
    m_run = std::move(run);
}

}  // namespace kvscope

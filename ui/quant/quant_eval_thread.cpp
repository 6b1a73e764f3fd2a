#include "ui/quant/quant_eval_thread.h"

namespace kvscope {

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
    const std::optional<Sequence> sequence =
        prepareSequence(m_request.reference, m_request.prompt, m_request.steps,
                        tr("loading %1, fp32 greedy continuation").arg(m_request.reference),
                        tr("fp32 reference"), [this](const Model& model, std::int64_t n) {
                            checkQuantEvalFits(model.config, m_request.spec, n);
                        });
    if (!sequence) return;

    QuantEvalOptions options;
    options.free_prompt_tokens = sequence->prompt_tokens;
    options.free_steps = m_request.steps;
    options.keep_attention = true;
    auto run = std::make_shared<QuantRun>();
    run->request = m_request;
    run->config = sequence->model->config;
    run->prompt_tokens = sequence->prompt_tokens;
    const KvCacheSpec specs[] = {m_request.spec};
    run->result = runQuantEval(sequence->model, sequence->tokens, specs, options,
                               stageProgress(QString::fromStdString(m_request.spec.label())));
    if (run->result.cancelled || run->result.rows.empty()) {
        markCancelled();
        return;
    }
    run->tokens = tokenLabels(
        *sequence, {&run->result.reference.free_tokens, &run->result.rows.front().free_tokens});
    finishStages();
    m_run = std::move(run);
}

}  // namespace kvscope

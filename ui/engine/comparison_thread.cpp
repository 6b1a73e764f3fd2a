#include "ui/engine/comparison_thread.h"

#include <exception>
#include <set>

#include "core/eval/quant_eval.h"
#include "core/model/model_source.h"
#include "core/model/prompt_tokens.h"
#include "core/trace/make_trace.h"

namespace kvscope {

namespace {

// Stages: the sequence (model + the reference's continuation), the reference's run, the compared
// cache's run.
constexpr int kStages = 3;

}  // namespace

void ComparisonThread::begin() {
    m_cancel.store(false);
    m_error.clear();
    m_cancelled = false;
    QThread::start();
}

std::optional<ComparisonThread::Sequence> ComparisonThread::prepareSequence(
    const QString& reference, const QString& prompt, std::int64_t steps, const QString& loading,
    const QString& next,
    const std::function<void(const Model& model, std::int64_t n_tokens)>& check) {
    emit progress(0, kStages, loading);
    if (!m_model || m_model_reference != reference) {
        m_model.reset();  // free the old one before loading the new one
        m_model = loadModel(reference.toStdString());
        m_model_reference = reference;
    }
    Sequence sequence;
    sequence.model = m_model;
    const std::vector<TokenId> bos_prompt = promptTokens(*m_model, prompt.toStdString());
    sequence.prompt_tokens = std::int64_t(bos_prompt.size());
    check(*m_model, sequence.prompt_tokens + steps);
    sequence.tokens = greedyContinuation(m_model, bos_prompt, steps);
    if (cancelRequested()) {
        markCancelled();
        return std::nullopt;
    }
    emit progress(1, kStages, next);
    return sequence;
}

std::function<bool(std::int64_t, std::int64_t)> ComparisonThread::stageProgress(
    const QString& label) {
    return [this, label](std::int64_t done, std::int64_t total) {
        if (done < total) emit progress(1 + int(done), kStages, label);
        return !cancelRequested();
    };
}

void ComparisonThread::finishStages() {
    emit progress(kStages, kStages, tr("done"));
}

std::map<TokenId, TraceToken> ComparisonThread::tokenLabels(
    const Sequence& sequence, std::initializer_list<const std::vector<TokenId>*> free_runs) {
    std::set<TokenId> ids(sequence.tokens.begin(), sequence.tokens.end());
    for (const std::vector<TokenId>* run : free_runs)
        ids.insert(run->begin(), run->end());
    return traceTokens(*sequence.model->tokenizer, ids);
}

void ComparisonThread::run() {
    try {
        work();
    } catch (const std::exception& e) {
        m_error = QString::fromUtf8(e.what());
    }
}

}  // namespace kvscope

#include "ui/engine/session_worker.h"

#include <QThread>
#include <algorithm>
#include <exception>
#include <optional>

#include "core/engine/activation_scheme.h"
#include "core/engine/backend_select.h"
#include "core/engine/cpu_backend.h"
#include "core/engine/cpu_threads.h"
#include "core/model/model_source.h"
#include "core/model/prompt_tokens.h"
#include "core/trace/make_trace.h"

namespace kvscope {

namespace {

/// The engine's backend in the window: CUDA when the Backend selector (ScenarioPanel) or kvscope's
/// start asked for it and it is available, else the CPU backend with `n_threads` when the user
/// chose it, else SessionWorker::defaultThreads(), with the activation scheme the Activations
/// selector (or kvscope --activations) asked for.
std::unique_ptr<Backend> engineBackend(int n_threads) {
    if (requestedBackend() != BackendKind::Cpu) {
        BackendSelection selection = makeBackend(requestedBackend(), 0);
        if (selection.note.empty()) return std::move(selection.backend);  // the CUDA backend
    }
    return std::make_unique<CpuBackend>(n_threads > 0 ? n_threads : SessionWorker::defaultThreads(),
                                        requestedActivations());
}

/// The backend as the status bar and the trace name it: Backend::name(), and for the CPU backend
/// on quantized weights with 8-bit activations, that too ("CPU (Eigen, 2 threads, 8-bit
/// activations)"; its name already says "float activations" when they are float).
QString backendText(const Backend& backend, const Model& model) {
    std::string name = backend.name();
    const auto* cpu = dynamic_cast<const CpuBackend*>(&backend);
    if (cpu && cpu->activations() == cpu::Activations::LlamaCpp && name.ends_with(')') &&
        activationSchemeApplies(model.config, model.weights))
        name.insert(name.size() - 1, ", 8-bit activations");
    return QString::fromStdString(name);
}

QString what(const std::exception& e) {
    return QString::fromUtf8(e.what());
}

}  // namespace

int SessionWorker::defaultThreads() {
    // kvscope --threads N or OMP_NUM_THREADS win over the one-core-for-the-GUI default.
    if (const std::optional<int> requested = requestedThreads()) return *requested;
    return std::max(1, QThread::idealThreadCount() - 1);
}

SessionWorker::SessionWorker(QObject* parent) : QObject(parent) {}

SessionWorker::~SessionWorker() = default;

void SessionWorker::load(const QString& reference, const SessionOptions& options) {
    try {
        std::shared_ptr<const Model> model = loadModel(reference.toStdString());
        auto session = std::make_unique<Session>(
            model, options, engineBackend(m_threads));  // throws on bad options
        warmUp(model);
        m_model = std::move(model);
        m_reference = reference;
        adopt(std::move(session));
    } catch (const std::exception& e) {
        emit failed(tr("Could not open %1: %2").arg(reference, what(e)));
    }
    emit finished();
}

void SessionWorker::configure(const SessionOptions& options) {
    try {
        if (!m_model) throw std::runtime_error("no model is loaded");
        adopt(std::make_unique<Session>(m_model, options, engineBackend(m_threads)));
    } catch (const std::exception& e) {
        emit failed(tr("Settings not applied: %1").arg(what(e)));
    }
    emit finished();
}

void SessionWorker::adopt(std::unique_ptr<Session> session) {
    m_session = std::move(session);
    m_other.reset();
    SessionOptions effective = m_session->options();
    effective.max_context = m_session->maxContext();
    emit opened(m_reference, traceModelInfo(*m_model), effective,
                backendText(m_session->backend(), *m_model));
}

std::unique_ptr<Session> SessionWorker::makeOtherSession() const {
    SessionOptions options = m_session->options();
    options.mode = otherMode(options.mode);
    options.record_attention = false;
    return std::make_unique<Session>(m_model, options, engineBackend(m_threads));
}

void SessionWorker::setMeasureOtherMode(bool on) {
    m_measure_other = on;
    if (!on) m_other.reset();  // a running sequence is measured again from its next prefill
    emit finished();
}

// The first forward passes on a thread pay for starting its thread pool and for the first
// allocations of the batched (many-token) path; pay them here, with a one-token and a 32-token
// pass, so the first step the class sees (and the recomputing twin's first pass) is timed like
// every other.
void SessionWorker::warmUp(const std::shared_ptr<const Model>& model) {
    const TokenId bos = model->tokenizer->bos();
    Session one(model, SessionOptions{}, engineBackend(0));
    one.prefill(std::vector<TokenId>{bos});
    SessionOptions batched;
    batched.mode = CacheMode::Recompute;
    Session many(model, batched, engineBackend(0));
    many.prefill(std::vector<TokenId>(
        std::size_t(std::min<std::int64_t>(32, model->config.max_context)), bos));
    many.stepForced(bos);
}

RecordedStep SessionWorker::recorded(const StepRecord& record) {
    RecordedStep out;
    out.record = record;
    out.tokens = traceTokens(*m_model->tokenizer, tokenIdsOf({&record, 1}));
    return out;
}

// The other-mode session follows the main one token for token (teacher-forced), so both measure
// the same sequence. It is dropped as soon as it falls out of step (e.g. after an undo past it).
void SessionWorker::feedOther(const StepRecord& record, RecordedStep& out) {
    if (!m_other) return;
    try {
        const StepRecord& twin = record.phase == Phase::Prefill
                                     ? m_other->prefill(record.tokens)
                                     : m_other->stepForced(record.tokens.front());
        out.other = OtherModeCost{twin.wall_ms, twin.cost};
    } catch (const std::exception&) {
        m_other.reset();
    }
}

void SessionWorker::prefill(const QString& prompt) {
    try {
        if (!m_session) throw std::runtime_error("no model is loaded");
        m_session->reset();
        m_other = m_measure_other ? makeOtherSession() : nullptr;
        RecordedStep out =
            recorded(m_session->prefill(promptTokens(*m_model, prompt.toStdString())));
        feedOther(out.record, out);
        emit stepped(out);
    } catch (const std::exception& e) {
        if (m_session) m_session->reset();
        if (m_other) m_other->reset();
        emit failed(tr("Prefill failed: %1").arg(what(e)));
    }
    emit finished();
}

void SessionWorker::step(int n) {
    m_cancel.store(false);
    try {
        for (int i = 0; i < n && m_session && m_session->canStep() && !m_cancel.load(); ++i) {
            RecordedStep out = recorded(m_session->step());
            feedOther(out.record, out);
            emit stepped(out);
        }
    } catch (const std::exception& e) {
        emit failed(tr("Step failed: %1").arg(what(e)));
    }
    emit finished();
}

void SessionWorker::undo() {
    if (m_session && m_session->canUndo()) {
        m_session->undo();
        if (m_other && m_other->canUndo()) m_other->undo();
        emit undone();
    }
    emit finished();
}

void SessionWorker::reset() {
    if (m_session) m_session->reset();
    if (m_other) m_other->reset();
    emit wasReset();
    emit finished();
}

void SessionWorker::unload() {
    m_other.reset();
    m_session.reset();
    m_model.reset();
    m_reference.clear();
    emit finished();
}

}  // namespace kvscope

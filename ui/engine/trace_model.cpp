#include "ui/engine/trace_model.h"

#include "core/trace/scenario_options.h"
#include "core/util/check.h"

#include <algorithm>

namespace kvscope {

TraceModel::TraceModel(QObject* parent) : QObject(parent) {}

void TraceModel::setModel(const QString& reference, const TraceModelInfo& info,
                          SessionOptions options, const QString& backend) {
    Trace trace;
    trace.scenario.model = reference.toStdString();
    setSessionOptions(trace.scenario, options);
    trace.model_info = info;
    trace.backend = backend.toStdString();
    setTrace(std::move(trace));
}

void TraceModel::setTrace(Trace trace) {
    m_trace = std::move(trace);
    m_trace.other_mode.resize(m_trace.records.size());
    m_cursor = recordCount();
    emit modelChanged();
    emit recordsChanged();
    emit cursorChanged(m_cursor);
}

std::int64_t TraceModel::maxContext() const {
    const std::int64_t model_limit = config().max_context;
    const std::int64_t limit = m_trace.scenario.max_context;
    return limit > 0 ? std::min(limit, model_limit) : model_limit;
}

void TraceModel::append(RecordedStep step) {
    const bool follow = atEnd();  // a user who scrubbed back stays where they are
    for (auto& [id, token] : step.tokens)
        m_trace.tokens.insert_or_assign(id, std::move(token));
    m_trace.records.push_back(std::move(step.record));
    m_trace.other_mode.push_back(step.other);
    if (follow) m_cursor = recordCount();
    emit recordsChanged();
    if (follow) emit cursorChanged(m_cursor);
}

void TraceModel::popBack() {
    KVSCOPE_EXPECTS(recordCount() > 0);
    m_trace.records.pop_back();
    m_trace.other_mode.pop_back();
    const int cursor = std::min(m_cursor, recordCount());
    const bool moved = cursor != m_cursor;
    m_cursor = cursor;
    emit recordsChanged();
    if (moved) emit cursorChanged(m_cursor);
}

void TraceModel::clearRecords() {
    m_trace.records.clear();
    m_trace.other_mode.clear();
    m_cursor = 0;
    emit recordsChanged();
    emit cursorChanged(m_cursor);
}

void TraceModel::setCursor(int n_shown) {
    const int clamped = std::clamp(n_shown, std::min(1, recordCount()), recordCount());
    if (clamped == m_cursor) return;
    m_cursor = clamped;
    emit cursorChanged(m_cursor);
}

std::span<const StepRecord> TraceModel::shown() const {
    return {m_trace.records.data(), std::size_t(m_cursor)};
}

const StepRecord* TraceModel::current() const {
    return m_cursor > 0 ? &m_trace.records[std::size_t(m_cursor) - 1] : nullptr;
}

std::optional<OtherModeCost> TraceModel::otherCost(int r) const {
    if (r < 0 || std::size_t(r) >= m_trace.other_mode.size()) return std::nullopt;
    return m_trace.other_mode[std::size_t(r)];
}

std::vector<TokenId> TraceModel::shownTokens() const {
    std::vector<TokenId> tokens;
    for (const StepRecord& record : shown())
        tokens.insert(tokens.end(), record.tokens.begin(), record.tokens.end());
    return tokens;
}

std::int64_t TraceModel::promptLength() const {
    return m_trace.records.empty() ? 0 : std::int64_t(m_trace.records.front().tokens.size());
}

QString TraceModel::label(TokenId id) const {
    const auto it = m_trace.tokens.find(id);
    return it == m_trace.tokens.end() ? QStringLiteral("#%1").arg(id)
                                      : QString::fromStdString(it->second.label);
}

bool TraceModel::isSpecial(TokenId id) const {
    const auto it = m_trace.tokens.find(id);
    return it != m_trace.tokens.end() && it->second.special;
}

}  // namespace kvscope

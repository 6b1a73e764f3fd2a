#pragma once
// What the GUI shows: a Trace (the records a Session produced, copied over from the worker
// thread) and a cursor, the number of records on screen. Stepping back through recorded steps
// and scrubbing the timeline move the cursor only; nothing is recomputed. Token labels are kept
// beside the records so a trace can be shown without its model.
#include <QObject>
#include <QString>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "core/engine/session.h"
#include "core/model/model_config.h"
#include "core/trace/trace.h"

namespace kvscope {

/// How a token is shown: "<s>", "<0x0A>", "▁the"; special tokens are drawn apart.
struct TokenText {
    QString label;
    bool special = false;
};

/// A record as it arrives from the engine, with its token texts and its other-mode twin.
struct RecordedStep {
    StepRecord record;
    std::map<TokenId, TraceToken> tokens;  // every token id the record names
    std::optional<OtherModeCost> other;
};

class TraceModel : public QObject {
    Q_OBJECT
public:
    explicit TraceModel(QObject* parent = nullptr);

    /// Starts over with a new model: no records, cursor 0. options.max_context is the effective
    /// limit.
    void setModel(const QString& reference, const TraceModelInfo& info, SessionOptions options,
                  const QString& backend);
    /// Shows a saved trace (no engine behind it): every record, cursor at the end.
    void setTrace(Trace trace);
    void append(RecordedStep step);
    /// Drops the last record (the engine undid it). Pre: recordCount() > 0.
    void popBack();
    void clearRecords();

    /// Shows the first `n_shown` records, clamped to [min(1, count), count].
    void setCursor(int n_shown);
    int cursor() const { return m_cursor; }
    int recordCount() const { return int(m_trace.records.size()); }
    bool atEnd() const { return m_cursor == recordCount(); }

    const Trace& trace() const { return m_trace; }
    const ModelConfig& config() const { return m_trace.model_info.config; }
    /// Positions the session may hold.
    std::int64_t maxContext() const;
    QString reference() const { return QString::fromStdString(m_trace.scenario.model); }
    QString backend() const { return QString::fromStdString(m_trace.backend); }
    /// Records [0, cursor).
    std::span<const StepRecord> shown() const;
    /// The record at the cursor (the last one shown), or nullptr before the prefill.
    const StepRecord* current() const;
    /// Other-mode costs of record r (the trace keeps them); nullopt where not measured.
    std::optional<OtherModeCost> otherCost(int r) const;
    /// Every token fed by the shown records, in position order.
    std::vector<TokenId> shownTokens() const;
    /// Positions fed by the prefill (0 before it).
    std::int64_t promptLength() const;

    QString label(TokenId id) const;
    bool isSpecial(TokenId id) const;

signals:
    void modelChanged();
    /// Records were added or removed (the cursor may have moved too).
    void recordsChanged();
    void cursorChanged(int n_shown);

private:
    Trace m_trace;  // other_mode is kept at [n_records]
    int m_cursor = 0;
};

}  // namespace kvscope

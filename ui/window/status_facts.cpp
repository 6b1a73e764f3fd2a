#include "ui/window/status_facts.h"

#include <QLabel>
#include <QStatusBar>

#include "ui/engine/trace_model.h"
#include "ui/widgets/view_parts.h"
#include "ui/window/session_status.h"

namespace kvscope {

StatusFacts::StatusFacts(TraceModel* trace, QStatusBar* bar) : QObject(bar), m_trace(trace) {
    m_position = new QLabel;
    m_kv_cache = new QLabel;
    m_kv_cache->setToolTip(tr(
        "K + V bytes of the cache: held = entries x bytes per entry (logical); allocated = "
        "what the layout reserves (physical: the whole context, or the paged blocks). A hole: an "
        "entry an eviction dropped from a paged block that stays allocated while the block "
        "holds other entries (counted over the layers)"));
    m_last_step = new QLabel;
    m_backend = plainLabel();  // the backend's name and the errors quote files: plain text only
    m_error = plainLabel();
    m_error->setContentsMargins(8, 0, 8, 0);
    bar->addWidget(m_error, 1);
    for (QLabel* label : {m_position, m_kv_cache, m_last_step, m_backend}) {
        label->setContentsMargins(10, 0, 10, 0);
        bar->addPermanentWidget(label);
    }
    connect(m_trace, &TraceModel::recordsChanged, this, &StatusFacts::refresh);
    connect(m_trace, &TraceModel::cursorChanged, this, &StatusFacts::refresh);
    clearError();
    refresh();
}

void StatusFacts::refresh() {
    const SessionStatus status = describeSession(*m_trace);
    m_position->setText(status.position);
    m_kv_cache->setText(status.kv_cache);
    m_last_step->setText(status.last_step);
    m_backend->setText(status.backend);
    m_backend->setToolTip(status.backend);  // the whole name where a narrow window cuts it
}

void StatusFacts::showError(const QString& message) {
    m_last_error = message;
    m_error->setStyleSheet(QStringLiteral("color: #d03b30; font-weight: bold"));
    m_error->setText(message);
    m_error->setToolTip(message);
}

// With no error to show, the left of the status bar reminds the class of the keys.
void StatusFacts::clearError() {
    m_last_error.clear();
    m_error->setStyleSheet(QString());
    m_error->setForegroundRole(QPalette::PlaceholderText);
    // Arrows, not "Right"/"Left": the facts on the right leave this hint ~40 characters.
    m_error->setText(tr("\u2192 step \u00b7 \u2190 back \u00b7 Space play \u00b7 Home reset"));
    m_error->setToolTip(
        tr("Keys: Right arrow steps, Left arrow goes back, Space plays or "
           "pauses, Home resets to the prompt"));
}

}  // namespace kvscope

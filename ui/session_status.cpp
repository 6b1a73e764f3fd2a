#include "ui/session_status.h"

#include <QCoreApplication>

#include "ui/format_bytes.h"

namespace kvscope {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("SessionStatus", text);
}

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

}  // namespace

SessionStatus describeSession(const Session& session) {
    SessionStatus status;
    status.position = tr("Position %1 / %2").arg(session.position()).arg(session.maxContext());
    const std::vector<StepRecord>& records = session.records();
    const std::int64_t kv_bytes = records.empty() ? 0 : records.back().kvBytesHeld();
    status.kv_cache = tr("KV cache %1").arg(formatBytes(kv_bytes));
    status.last_step = records.empty() ? tr("Last step \u2014")
                                       : tr("Last step %1 ms (%2)")
                                             .arg(records.back().wall_ms, 0, 'f', 2)
                                             .arg(fromView(toString(records.back().phase)));
    status.backend = tr("Backend: %1").arg(QString::fromStdString(session.backend().name()));
    return status;
}

}  // namespace kvscope

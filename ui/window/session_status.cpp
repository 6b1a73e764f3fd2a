#include "ui/window/session_status.h"

#include <QCoreApplication>

#include "ui/style/format_bytes.h"

namespace kvscope {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("SessionStatus", text);
}

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

}  // namespace

SessionStatus describeSession(const TraceModel& trace) {
    SessionStatus status;
    const StepRecord* current = trace.current();
    status.position =
        tr("Position %1 / %2").arg(current ? current->positionsAfter() : 0).arg(trace.maxContext());
    if (!trace.atEnd()) {
        status.position +=
            tr(" (replaying step %1 of %2)").arg(trace.cursor() - 1).arg(trace.recordCount() - 1);
    }
    // Both figures: held (logical, entries x bytes per entry) and allocated (physical).
    std::int64_t allocated = 0, holes = 0;
    if (current)
        for (const LayerRecord& layer : current->layers) {
            allocated += layer.bytes_allocated;
            holes += layer.holes;
        }
    // "KV 35.00 KiB of 640.00 KiB allocated": held (logical) of allocated (physical), and the
    // paged layout's holes (entries evicted from a block still allocated) when there are any.
    status.kv_cache = current ? tr("KV %1 of %2 allocated")
                                    .arg(bytesText(current->kvBytesHeld()), bytesText(allocated))
                              : tr("KV %1").arg(bytesText(0));
    if (holes > 0) status.kv_cache += holes == 1 ? tr(" (1 hole)") : tr(" (%1 holes)").arg(holes);
    status.last_step = current ? tr("Step %1 ms (%2)")
                                     .arg(current->wall_ms, 0, 'f', 2)
                                     .arg(fromView(toString(current->phase)))
                               : tr("Step \u2014");
    status.backend = tr("Backend: %1").arg(trace.backend());
    return status;
}

}  // namespace kvscope

// MainWindow and saved traces: File > Open (or a drop, a recent file, `kvscope FILE.json`) of a
// JSON trace replays it without its model. The trace carries what every view needs: the model's
// shape and special tokens, each token's label and text, and every step's record.
#include <QStatusBar>

#include "core/trace/trace_json.h"
#include "core/util/error.h"
#include "ui/engine/session_runner.h"
#include "ui/window/main_window.h"
#include "ui/window/recent_files.h"

namespace kvscope {

bool MainWindow::openTraceFile(const QString& path) {
    Trace trace;
    try {
        trace = readTraceJsonFile(path.toStdString());
    } catch (const InputError& e) {
        showError(tr("Not opened: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
    if (trace.records.empty()) {
        showError(tr("Not opened: the trace %1 holds no steps to replay").arg(path));
        return false;
    }
    clearError();
    m_runner->replay(std::move(trace));
    m_recent->remember(path);
    statusBar()->showMessage(
        tr("Replaying %1 (recorded steps only; open a model to compute)").arg(path), 10000);
    return true;
}

}  // namespace kvscope

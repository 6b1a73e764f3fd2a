#pragma once
// The window's status bar: on the left the error of the last request, in red, or while there is
// none a reminder of the transport keys; on the right the facts of the step on screen (where the
// sequence is, the KV cache it holds, how long the last step took, the backend: session_status.h),
// kept in step with the TraceModel.
#include <QObject>
#include <QString>

class QLabel;
class QStatusBar;

namespace kvscope {

class TraceModel;

class StatusFacts : public QObject {
    Q_OBJECT
public:
    /// Adds its labels to `bar` (also the parent).
    StatusFacts(TraceModel* trace, QStatusBar* bar);

    void showError(const QString& message);
    /// Back to the keys reminder.
    void clearError();
    /// The error shown; "" while none is.
    QString lastError() const { return m_last_error; }

    QLabel* errorLabel() const { return m_error; }
    QLabel* positionLabel() const { return m_position; }
    QLabel* kvCacheLabel() const { return m_kv_cache; }
    QLabel* lastStepLabel() const { return m_last_step; }
    QLabel* backendLabel() const { return m_backend; }

private:
    void refresh();

    TraceModel* m_trace;
    QString m_last_error;
    QLabel* m_error = nullptr;
    QLabel* m_position = nullptr;
    QLabel* m_kv_cache = nullptr;
    QLabel* m_last_step = nullptr;
    QLabel* m_backend = nullptr;
};

}  // namespace kvscope

#pragma once
// The run row of a view that computes on a worker thread (the Quantization and Eviction views):
// Run and Cancel buttons, a progress bar naming the stage, and a message line under them (red for
// an error).
#include <QString>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace kvscope {

class RunControls : public QWidget {
    Q_OBJECT
public:
    RunControls(const QString& run_text, const QString& run_tooltip, QWidget* parent = nullptr);

    /// Running: Run off, Cancel on, the progress bar shows `done` of `total` and `what`.
    void showRunning(int done, int total, const QString& what);
    /// Not running; the progress bar shows `text` ("idle" when empty), full when `done`.
    void showIdle(const QString& text = {}, bool done = false);
    /// A message under the buttons; red when `error`. Empty hides it.
    void showMessage(const QString& text, bool error);
    QString message() const;

    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }

signals:
    void runRequested();
    void cancelRequested();

private:
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_message = nullptr;
};

}  // namespace kvscope

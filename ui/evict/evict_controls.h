#pragma once
// The Eviction view's inputs: the prompt, the bounded cache to compare with the full one (the
// Scenario panel's fields: policy, budget in tokens or bytes, sinks, window, positions, shape),
// the layout both caches use, and how many greedy steps to compare. Run and Cancel buttons; a
// progress bar and a message line under them.
#include <QWidget>
#include <cstdint>

#include "core/cache/cache_layout.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace kvscope {

class EvictionControls;
class RunControls;

class EvictControls : public QWidget {
    Q_OBJECT
public:
    explicit EvictControls(QWidget* parent = nullptr);

    EvictionControls* eviction() const { return m_eviction; }
    std::int64_t steps() const;
    void setSteps(std::int64_t steps);
    QString prompt() const;
    void setPrompt(const QString& text);
    CacheLayout layout() const;

    /// Running: Run off, Cancel on, the progress bar shows `done` of `total` and `what`.
    void showRunning(int done, int total, const QString& what);
    /// Not running; the progress bar shows `text` ("idle" when empty), full when `done`.
    void showIdle(const QString& text = {}, bool done = false);
    /// A message under the buttons; red when `error`. Empty hides it.
    void showMessage(const QString& text, bool error);
    QString message() const;

    QLineEdit* promptEdit() const { return m_prompt; }
    QSpinBox* stepsBox() const { return m_steps; }
    QComboBox* layoutBox() const { return m_layout; }
    QPushButton* runButton() const;
    QPushButton* cancelButton() const;
    QProgressBar* progressBar() const;

signals:
    void runRequested();
    void cancelRequested();

private:
    QLineEdit* m_prompt = nullptr;
    EvictionControls* m_eviction = nullptr;
    QComboBox* m_layout = nullptr;
    QSpinBox* m_steps = nullptr;
    RunControls* m_run_row = nullptr;
};

}  // namespace kvscope

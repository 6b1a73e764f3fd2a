#pragma once
// The Quantization view's inputs: the prompt, a codec for K and one for V (every format the cache
// implements), the mixed-precision window (the last W tokens in a high-precision dtype, older ones
// in the chosen codec), KIVI's fp16 residual R, and how many greedy steps to compare. Run and
// Cancel buttons; a progress bar and a message line under them.
#include <QWidget>
#include <cstdint>

#include "core/cache/kv_cache_spec.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace kvscope {

class RunControls;

class QuantControls : public QWidget {
    Q_OBJECT
public:
    explicit QuantControls(QWidget* parent = nullptr);

    /// The cache spec the fields describe (not checked: runQuantEval and the view check it).
    KvCacheSpec spec() const;
    void setSpec(const KvCacheSpec& spec);
    std::int64_t steps() const;
    void setSteps(std::int64_t steps);
    QString prompt() const;
    void setPrompt(const QString& text);

    /// Running: Run off, Cancel on, the progress bar shows `done` of `total` and `what`.
    void showRunning(int done, int total, const QString& what);
    /// Not running; the progress bar shows `text` ("idle" when empty), full when `done`.
    void showIdle(const QString& text = {}, bool done = false);
    /// A message under the buttons; red when `error`. Empty hides it.
    void showMessage(const QString& text, bool error);
    QString message() const;

    QComboBox* keyBox() const { return m_key; }
    QComboBox* valueBox() const { return m_value; }
    QSpinBox* windowBox() const { return m_window; }
    QComboBox* windowDtypeBox() const { return m_window_dtype; }
    QSpinBox* kiviBox() const { return m_kivi; }
    QSpinBox* stepsBox() const { return m_steps; }
    QLineEdit* promptEdit() const { return m_prompt; }
    QPushButton* runButton() const;
    QPushButton* cancelButton() const;
    QProgressBar* progressBar() const;

signals:
    void runRequested();
    void cancelRequested();

private:
    void updateEnabled();

    QLineEdit* m_prompt = nullptr;
    QComboBox* m_key = nullptr;
    QComboBox* m_value = nullptr;
    QSpinBox* m_window = nullptr;
    QComboBox* m_window_dtype = nullptr;
    QSpinBox* m_kivi = nullptr;
    QSpinBox* m_steps = nullptr;
    RunControls* m_run_row = nullptr;
};

}  // namespace kvscope

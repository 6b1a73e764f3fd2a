#pragma once
// The inputs every comparison view shares (the Quantization and Eviction views): the prompt, how
// many greedy steps to compare, and the run row under them: Run and Cancel buttons, a progress bar
// naming the stage, and a message line (red for an error). A subclass adds its own rows to the form
// between the prompt and the steps with addRow(), then calls finishLayout().
#include <QString>
#include <QWidget>
#include <cstdint>

class QFormLayout;
class QLabel;
class QLayout;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace kvscope {

class ComparisonControls : public QWidget {
    Q_OBJECT
public:
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

    QLineEdit* promptEdit() const { return m_prompt; }
    QSpinBox* stepsBox() const { return m_steps; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }

signals:
    void runRequested();
    void cancelRequested();

protected:
    /// `run_text` and `run_tooltip`: the Run button's; `steps` and `steps_tooltip`: the steps
    /// field's start value and what the steps are.
    ComparisonControls(const QString& run_text, const QString& run_tooltip, int steps,
                       const QString& steps_tooltip, QWidget* parent);
    /// A row of the subclass's, after the rows added before it and above the steps.
    void addRow(const QString& label, QWidget* field);
    void addRow(const QString& label, QLayout* field);
    void addRow(QWidget* spanning);
    /// Puts the form and the run row on this widget, once every row is added: the widgets then
    /// follow each other in the form's order (the tab order). The subclass's constructor ends
    /// with it.
    void finishLayout();

private:
    QLineEdit* m_prompt = nullptr;
    QSpinBox* m_steps = nullptr;
    QFormLayout* m_form = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_message = nullptr;
};

}  // namespace kvscope

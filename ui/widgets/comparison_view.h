#pragma once
// What the comparison views share (the Quantization and Eviction views: a cache against its
// reference on the main window's model and prompt, run on a ComparisonThread): the model and
// prompt they follow, Run (its checks, then the thread), Cancel, waiting for the end, progress,
// the outcome of a run (a result, cancelled, or failed with a message), and the layout: the inputs
// on the left, a summary line over the view's charts on the right. A subclass builds and checks
// its request, takes the thread's result and renders it.
#include <QString>
#include <QWidget>
#include <map>

#include "core/model/model_config.h"
#include "core/trace/trace.h"

class QLabel;

namespace kvscope {

class ComparisonControls;
class ComparisonThread;

class ComparisonView : public QWidget {
    Q_OBJECT
public:
    ~ComparisonView() override;

    /// Starts a comparison with the fields' choices. Bad input (no model, fields that make no
    /// request, a sequence beyond the context) shows a message instead; so does a run already
    /// going.
    void run();
    void cancel();
    bool isRunning() const;
    /// Runs the event loop until no comparison is running or `timeout_ms` passes (tests and
    /// --screenshot). Returns whether it is idle.
    bool waitUntilIdle(int timeout_ms = 120000);
    /// The message on screen when it is an error (empty otherwise).
    QString errorText() const { return m_error; }
    QLabel* summary() const { return m_summary; }

public slots:
    /// The model the comparison runs on (the Generate view's); an empty reference = none.
    void setModel(const kvscope::ModelConfig& config, const QString& reference);
    /// The prompt (the Scenario panel's); the field stays editable.
    void setPrompt(const QString& text);

signals:
    /// A comparison ended (finished, failed or cancelled).
    void runFinished();

protected:
    /// `controls` and `thread` are the subclass's, made before this is called.
    ComparisonView(ComparisonControls* controls, ComparisonThread* thread, QWidget* parent);

    /// Builds the request from the fields and checks it; throws InputError naming the field.
    virtual void prepareRun() = 0;
    /// Starts the thread on the request prepareRun() built.
    virtual void startRun() = 0;
    /// After a run: takes the thread's result and returns the progress bar's text ("done: int8
    /// vs fp32"), or "" when the run left none (it failed or was cancelled).
    virtual QString takeResult() = 0;
    /// Shows the last result, or the view's empty state before the first.
    virtual void render() = 0;
    /// The model changed (setModel); the fields that depend on it follow.
    virtual void modelChanged() {}

    /// Lays the view out: `inputs` on the left (fixed width), the summary line over `body`.
    void arrange(QWidget* inputs, QWidget* body);
    void showError(const QString& message);
    const ModelConfig& config() const { return m_config; }
    const QString& reference() const { return m_reference; }

private:
    void onProgress(int done, int total, const QString& what);
    void onFinished();

    ComparisonControls* m_controls;
    ComparisonThread* m_thread;
    QLabel* m_summary = nullptr;
    ModelConfig m_config;
    QString m_reference;
    QString m_error;
    bool m_pending = false;  // from run() until onFinished()
};

/// The text of `id` in `tokens` (a special token by its label), "#id" when it is not there.
QString comparisonTokenText(const std::map<TokenId, TraceToken>& tokens, TokenId id);
/// "builtin:demo", or a file's name without its folder.
QString comparisonModelName(const QString& reference);
/// "12.5%".
QString percentText(double fraction);
/// "+0.0123" / "-0.0123": `decimals` after the point, the sign always shown.
QString signedNumberText(double value, int decimals);

}  // namespace kvscope

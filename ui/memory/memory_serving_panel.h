#pragma once
// The serving-engine section of the Memory view: will vLLM start with this model, GPU and
// context, how many requests of that length fit at once, and, when it does not start, the
// changes that make it fit, each with its figure. Renders a ServingReport (core/memory/
// serving_engine.h); computes nothing.
#include <QString>
#include <QTextBrowser>
#include <optional>

#include "core/memory/serving_engine.h"

namespace kvscope {

class MemoryServingPanel : public QTextBrowser {
    Q_OBJECT
public:
    explicit MemoryServingPanel(QWidget* parent = nullptr);

    /// Shows `serving`, or `why` there is none (no GPU, a cache format no engine uses).
    void showServing(const std::optional<ServingReport>& serving, const QString& why);
    /// One line for the view's verdict label: "vLLM starts: 3.20x requests of 131,072 tokens".
    static QString verdict(const std::optional<ServingReport>& serving, const QString& why);

protected:
    void changeEvent(QEvent* event) override;

private:
    void render();

    std::optional<ServingReport> m_serving;
    QString m_why;
};

}  // namespace kvscope

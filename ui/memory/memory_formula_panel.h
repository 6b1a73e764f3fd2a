#pragma once
// The MemoryReport's terms as selectable text: each term's bytes (IEC and exact), its formula with
// the numbers substituted, and where every number came from (preset, config.json key, GGUF key,
// user input).
#include <QTextBrowser>

#include "core/memory/memory_estimator.h"

namespace kvscope {

class MemoryFormulaPanel : public QTextBrowser {
    Q_OBJECT
public:
    explicit MemoryFormulaPanel(QWidget* parent = nullptr);

    /// `heading`: one line above the terms (the model and the scenario).
    void showReport(const MemoryReport& report, const QString& heading);

protected:
    void changeEvent(QEvent* event) override;

private:
    void render();

    MemoryReport m_report;
    QString m_heading;
};

}  // namespace kvscope

#include "ui/memory/memory_formula_panel.h"

#include <QEvent>
#include <QFontDatabase>
#include <QLocale>
#include <QScrollBar>

#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"

namespace kvscope {

namespace {

QString html(const std::string& text) {
    return QString::fromStdString(text).toHtmlEscaped();
}

}  // namespace

MemoryFormulaPanel::MemoryFormulaPanel(QWidget* parent) : QTextBrowser(parent) {
    setOpenLinks(false);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    setFrameShape(QFrame::StyledPanel);
}

void MemoryFormulaPanel::showReport(const MemoryReport& report, const QString& heading) {
    m_report = report;
    m_heading = heading;
    render();
}

void MemoryFormulaPanel::render() {
    const QColor muted =
        mixColors(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.62);
    const QString mono = QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
    const QLocale english(QLocale::English);
    QString out = QStringLiteral("<p><b>%1</b><br><span style='color:%2'>%3</span></p>")
                      .arg(m_heading.toHtmlEscaped(), muted.name(),
                           tr("Bytes in IEC units (1 KiB = 1024 B, 1 GiB = 2<sup>30</sup> B); GPU "
                              "sizes keep the vendor's unit."));
    for (const MemoryTerm& t : m_report.terms) {
        out += QStringLiteral(
                   "<p style='margin-top:8px'><b>%1</b> = %2 <span style='color:%3'>(%4 B)"
                   "</span><br><span style='font-family:\"%5\"'>= %6</span>")
                   .arg(html(t.name), bytesText(t.bytes), muted.name(),
                        english.toString(qlonglong(t.bytes)), mono, html(t.formula));
        for (const std::string& source : t.sources) {
            out += QStringLiteral("<br><span style='color:%1'>&nbsp;&nbsp;from %2</span>")
                       .arg(muted.name(), html(source));
        }
        out += QStringLiteral("</p>");
    }
    const int scroll = verticalScrollBar() ? verticalScrollBar()->value() : 0;
    setHtml(out);
    if (verticalScrollBar()) verticalScrollBar()->setValue(scroll);
}

void MemoryFormulaPanel::changeEvent(QEvent* event) {
    QTextBrowser::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_report.terms.empty()) render();
}

}  // namespace kvscope

#include "ui/memory/memory_serving_panel.h"

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

QString grouped(std::int64_t value) {
    return QLocale(QLocale::English).toString(qlonglong(value));
}

}  // namespace

MemoryServingPanel::MemoryServingPanel(QWidget* parent) : QTextBrowser(parent) {
    setOpenLinks(false);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    setFrameShape(QFrame::StyledPanel);
}

void MemoryServingPanel::showServing(const std::optional<ServingReport>& serving,
                                     const QString& why) {
    m_serving = serving;
    m_why = why;
    render();
}

QString MemoryServingPanel::verdict(const std::optional<ServingReport>& serving,
                                    const QString& why) {
    if (!serving) return tr("vLLM: no estimate (%1)").arg(why);
    const ServingReport& s = *serving;
    if (s.fits) {
        return tr("vLLM starts: %1x requests of %2 tokens at once")
            .arg(QString::number(s.max_concurrency, 'f', 2), grouped(s.max_model_len));
    }
    if (s.max_model_len_fit > 0) {
        return tr("vLLM does not start at %1 tokens; %2 fit")
            .arg(grouped(s.max_model_len), grouped(s.max_model_len_fit));
    }
    return tr("vLLM does not start: no room for the KV cache");
}

void MemoryServingPanel::render() {
    const QColor muted =
        mixColors(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.62);
    const QString mono = QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
    if (!m_serving) {
        setHtml(QStringLiteral("<p>%1</p>").arg(verdict(m_serving, m_why).toHtmlEscaped()));
        return;
    }
    const ServingReport& s = *m_serving;
    const QColor verdict_color = s.fits ? categoryColor(2) : errorColor(palette());
    QString out =
        QStringLiteral(
            "<p><b style='color:%1'>%2</b><br>%3<br>%4<br><span style='color:%5'>%6"
            "</span></p>")
            .arg(verdict_color.name(), verdict(m_serving, m_why).toHtmlEscaped(),
                 tr("Maximum concurrency for %1 tokens per request: %2x")
                     .arg(grouped(s.max_model_len), QString::number(s.max_concurrency, 'f', 2)),
                 tr("GPU KV cache size: %1 tokens; %2 KV blocks of %3 tokens")
                     .arg(grouped(s.kv_tokens), grouped(s.num_blocks))
                     .arg(s.block_size),
                 muted.name(),
                 tr("vLLM v1's accounting (gpu_memory_utilization, profile_run, KV blocks); the "
                    "activation peak is an estimate, the engine measures it."));
    if (!s.fixes.empty()) {
        out += QStringLiteral("<p><b>%1</b>").arg(tr("To make it fit, each change alone:"));
        for (const ServingFix& fix : s.fixes) {
            out += QStringLiteral("<br><span style='font-family:\"%1\"'>%2</span> %3")
                       .arg(mono, html(fix.flag), html(fix.effect));
        }
        out += QStringLiteral("</p>");
    }
    for (const MemoryTerm& t : s.terms) {
        out += QStringLiteral(
                   "<p style='margin-top:8px'><b>%1</b> = %2<br><span "
                   "style='font-family:\"%3\"'>= %4</span>")
                   .arg(html(t.name), bytesText(t.bytes), mono, html(t.formula));
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

void MemoryServingPanel::changeEvent(QEvent* event) {
    QTextBrowser::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) render();
}

}  // namespace kvscope

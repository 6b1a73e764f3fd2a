#include "ui/quant/quant_texts.h"

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QTextBrowser>

#include "ui/style/chart_style.h"

namespace kvscope {

namespace {

/// A token as HTML: escaped, newlines as line breaks.
QString html(const QString& text) {
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

QString span(const QString& text, const QString& style) {
    return QStringLiteral("<span style=\"%1\">%2</span>").arg(style, html(text));
}

QString colourName(const QColor& colour) {
    return colour.name(QColor::HexRgb);
}

}  // namespace

QuantTexts::QuantTexts(QWidget* parent) : QWidget(parent) {
    m_reference_title = new QLabel;
    m_spec_title = new QLabel;
    m_verdict = new QLabel;
    m_verdict->setWordWrap(true);
    m_reference = new QTextBrowser;
    m_spec = new QTextBrowser;
    for (QTextBrowser* text : {m_reference, m_spec}) {
        text->setOpenLinks(false);
        text->setMinimumWidth(100);
    }
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_verdict, 0, 0, 1, 2);
    layout->addWidget(m_reference_title, 1, 0);
    layout->addWidget(m_spec_title, 1, 1);
    layout->addWidget(m_reference, 2, 0);
    layout->addWidget(m_spec, 2, 1);
    layout->setRowStretch(2, 1);
    clear();
}

void QuantTexts::setTexts(const QString& prompt, const QStringList& reference,
                          const QStringList& spec, const QString& spec_label,
                          std::int64_t first_divergence) {
    m_prompt = prompt;
    m_reference_tokens = reference;
    m_spec_tokens = spec;
    m_spec_label = spec_label;
    m_first_divergence = first_divergence;
    render();
}

void QuantTexts::setReferenceLabel(const QString& label) {
    m_reference_label = label;
    render();
}

void QuantTexts::clear() {
    setTexts(QString(), {}, {}, tr("codec"), 0);
}

QStringList QuantTexts::highlighted() const {
    const qsizetype i = qsizetype(m_first_divergence) - 1;
    if (m_first_divergence <= 0 || i >= m_reference_tokens.size() || i >= m_spec_tokens.size())
        return {};
    return {m_reference_tokens[i], m_spec_tokens[i]};
}

void QuantTexts::render() {
    const QPalette& p = palette();
    const QString muted =
        QStringLiteral("color: %1").arg(colourName(p.color(QPalette::PlaceholderText)));
    const QColor error = errorColor(p);
    const QString mark = QStringLiteral("background-color: %1; color: %2; font-weight: bold")
                             .arg(colourName(error), colourName(p.color(QPalette::Base)));
    const QString after = QStringLiteral("color: %1").arg(colourName(error));
    const auto document = [&](const QStringList& tokens, bool tint_after) {
        QString out =
            QStringLiteral("<div style=\"white-space: pre-wrap\">") + span(m_prompt, muted);
        for (qsizetype i = 0; i < tokens.size(); ++i) {
            const std::int64_t step = std::int64_t(i) + 1;
            if (m_first_divergence > 0 && step == m_first_divergence) {
                out += span(tokens[i], mark);
            } else if (tint_after && m_first_divergence > 0 && step > m_first_divergence) {
                out += span(tokens[i], after);
            } else {
                out += html(tokens[i]);
            }
        }
        return out + QStringLiteral("</div>");
    };
    m_reference->setHtml(document(m_reference_tokens, false));
    m_spec->setHtml(document(m_spec_tokens, true));
    m_reference_title->setText(tr("<b>%1</b> (reference)").arg(m_reference_label.toHtmlEscaped()));
    m_spec_title->setText(tr("<b>%1</b>").arg(m_spec_label.toHtmlEscaped()));
    if (m_reference_tokens.isEmpty()) {
        m_verdict->setText(
            tr("Free greedy generation from the prompt: run a comparison to see "
               "both texts."));
    } else if (m_first_divergence == 0) {
        m_verdict->setText(tr("Free greedy generation: the same %1 tokens as %2.")
                               .arg(m_reference_tokens.size())
                               .arg(m_reference_label.toHtmlEscaped()));
    } else {
        const QStringList pair = highlighted();
        m_verdict->setText(tr("Free greedy generation: <b>diverges at step %1</b> of %2 "
                              "(%3 \u201c%4\u201d, %5 \u201c%6\u201d).")
                               .arg(m_first_divergence)
                               .arg(m_reference_tokens.size())
                               .arg(m_reference_label.toHtmlEscaped(),
                                    pair.value(0).toHtmlEscaped(), m_spec_label.toHtmlEscaped(),
                                    pair.value(1).toHtmlEscaped()));
    }
}

void QuantTexts::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) render();
}

}  // namespace kvscope

#include "ui/generate/top_k_view.h"

#include <QFontDatabase>
#include <QPainter>
#include <algorithm>

#include "ui/generate/token_strip.h"

namespace kvscope {
namespace {

constexpr int kShownRows = 5;  // the height asked for; more candidates are clipped
constexpr double kGap = 8;

QFont monoFont(const QWidget& widget) {
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(widget.font().pointSizeF());
    return font;
}

}  // namespace

TopKView::TopKView(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void TopKView::setCandidates(std::vector<Candidate> candidates) {
    m_candidates = std::move(candidates);
    update();
}

double TopKView::rowHeight() const {
    return QFontMetricsF(monoFont(*this)).height() + 8;
}

QSize TopKView::sizeHint() const {
    return {240, int(std::ceil(kShownRows * rowHeight()))};
}

double TopKView::labelColumnWidth() const {
    const QFontMetricsF metrics(monoFont(*this));
    double widest = metrics.horizontalAdvance(QStringLiteral("<0x00>"));
    for (const Candidate& c : m_candidates)
        widest = std::max(widest, metrics.horizontalAdvance(c.label));
    return std::min(widest, 0.4 * width());
}

void TopKView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, true);
    if (m_candidates.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("no step yet"));
        return;
    }
    const QFont mono = monoFont(*this);
    const QFontMetricsF metrics(mono);
    const double label_width = labelColumnWidth();
    const double percent_width = metrics.horizontalAdvance(QStringLiteral("100.0 %"));
    const double bar_left = label_width + kGap;
    const double bar_span = std::max(10.0, width() - bar_left - kGap - percent_width);
    const double row = rowHeight();

    painter.setFont(mono);
    for (std::size_t i = 0; i < m_candidates.size(); ++i) {
        const Candidate& c = m_candidates[i];
        const double top = double(i) * row;
        const ChipColors colors = chipColors(c.chosen ? TokenRole::Generated : TokenRole::Prompt);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRectF(0, top, label_width, row), Qt::AlignRight | Qt::AlignVCenter,
                         metrics.elidedText(c.label, Qt::ElideRight, label_width));
        const QRectF track(bar_left, top + 4, bar_span, row - 8);
        painter.setPen(Qt::NoPen);
        painter.setBrush(palette().color(QPalette::AlternateBase));
        painter.drawRoundedRect(track, 3, 3);
        painter.setBrush(colors.border);
        painter.drawRoundedRect(
            QRectF(track.topLeft(),
                   QSizeF(track.width() * std::clamp(c.probability, 0.0, 1.0), track.height())),
            3, 3);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRectF(track.right() + kGap, top, percent_width, row),
                         Qt::AlignRight | Qt::AlignVCenter,
                         QString::number(100 * c.probability, 'f', 1) + QStringLiteral(" %"));
    }
}

}  // namespace kvscope

#include "ui/heatmap_widget.h"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "ui/colormap.h"

namespace kvscope {
namespace {

constexpr int kPad = 12;  // around everything
constexpr int kGap = 8;   // between labels and cells
constexpr int kColorbarWidth = 18;
constexpr int kColorbarGap = 24;           // between the matrix and the colour bar
const QColor kMaskedColor(228, 231, 236);  // future positions: causal mask
const QColor kGridColor(255, 255, 255, 150);

QFont labelFont(const QWidget& widget) {
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(widget.font().pointSizeF() * 0.9);
    return font;
}

QFont titleFont(const QWidget& widget) {
    QFont font = widget.font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.15);
    return font;
}

QFont captionFont(const QWidget& widget) {
    QFont font = widget.font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    return font;
}

}  // namespace

HeatmapWidget::HeatmapWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapWidget::setMatrix(const Matrix& weights, const QStringList& labels) {
    m_weights = weights;
    m_labels = labels;
    const Colormap& map = Colormap::viridis();
    m_image = QImage(int(weights.cols()), int(weights.rows()), QImage::Format_RGB32);
    for (int q = 0; q < m_image.height(); ++q) {
        auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(q));
        for (int k = 0; k < m_image.width(); ++k) {
            line[k] = k > q ? kMaskedColor.rgb() : map.color(double(weights(q, k)));
        }
    }
    update();
}

void HeatmapWidget::clear() {
    setMatrix(Matrix(), {});
}

void HeatmapWidget::setTitle(const QString& title) {
    m_title = title;
    update();
}

void HeatmapWidget::setPlaceholder(const QString& text) {
    m_placeholder = text;
    update();
}

QString HeatmapWidget::labelOf(int position) const {
    return position < m_labels.size() ? m_labels[position] : QString::number(position);
}

HeatmapWidget::Geometry HeatmapWidget::geometry() const {
    Geometry g;
    const int rows = rowCount();
    const int cols = columnCount();
    const QFontMetrics labels(labelFont(*this));
    const QFontMetrics caption(captionFont(*this));
    for (int p = 0; p < std::max(rows, cols); ++p) {
        g.label_width = std::max(g.label_width, labels.horizontalAdvance(labelOf(p)));
    }
    const int title_height = QFontMetrics(titleFont(*this)).height() + kGap;
    const int left = kPad + caption.height() + kGap + g.label_width + kGap;
    const int bottom = kPad + caption.height() + kGap + labels.height() + kGap;
    const int right =
        kPad + kColorbarGap + kColorbarWidth + kGap + labels.horizontalAdvance("0.00");
    const int top = kPad + title_height;

    const double side = std::min(width() - left - right, height() - top - bottom);
    const int n = std::max({rows, cols, 1});
    g.cell = side / n;
    if (g.cell >= 2) g.cell = std::floor(g.cell);  // whole pixels keep the cells crisp
    g.cell = std::max(g.cell, 0.0);
    // Centre the matrix (with its labels and colour bar) in the width left over.
    const double spare = std::max(0.0, width() - left - right - g.cell * cols);
    g.matrix = QRectF(left + spare / 2, top, g.cell * cols, g.cell * rows);
    g.colorbar = QRectF(g.matrix.right() + kColorbarGap, top, kColorbarWidth,
                        std::max(g.matrix.height(), 120.0));
    g.query_label_every =
        std::max(1, int(std::ceil((labels.height() + 1) / std::max(g.cell, 0.01))));
    return g;
}

void HeatmapWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setRenderHint(QPainter::TextAntialiasing, true);

    painter.setFont(titleFont(*this));
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(rect().adjusted(kPad, kPad, -kPad, 0), Qt::AlignLeft | Qt::AlignTop, m_title);

    if (m_image.isNull()) {
        painter.setFont(font());
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const Geometry g = geometry();
    paintMatrix(painter, g);
    paintAxes(painter, g);
    paintColorbar(painter, g);
}

void HeatmapWidget::paintMatrix(QPainter& painter, const Geometry& g) const {
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);  // one flat colour per cell
    painter.drawImage(g.matrix, m_image);
    if (g.cell < 8) return;
    // Thin lines between cells, in the causal (lower) triangle only: the mask stays one plain area.
    painter.setPen(QPen(kGridColor, 1));
    const double left = g.matrix.left();
    const double top = g.matrix.top();
    for (int k = 1; k < columnCount(); ++k) {  // between key k - 1 and key k, rows k - 1 and below
        const double x = left + k * g.cell;
        painter.drawLine(QPointF(x, top + (k - 1) * g.cell), QPointF(x, g.matrix.bottom()));
    }
    for (int q = 1; q < rowCount(); ++q) {  // between query q - 1 and query q, keys up to q
        const double y = top + q * g.cell;
        painter.drawLine(QPointF(left, y), QPointF(left + (q + 1) * g.cell, y));
    }
}

void HeatmapWidget::paintAxes(QPainter& painter, const Geometry& g) const {
    const QColor text = palette().color(QPalette::WindowText);
    const QFont labels = labelFont(*this);
    const QFontMetrics metrics(labels);
    painter.setFont(labels);
    painter.setPen(text);
    // Query labels down the left, key labels along the bottom; thinned out where cells are
    // smaller than the text.
    for (int q = 0; q < rowCount(); q += g.query_label_every) {
        const QRectF cell(0, g.matrix.top() + q * g.cell, g.matrix.left() - kGap, g.cell);
        painter.drawText(cell, Qt::AlignRight | Qt::AlignVCenter | Qt::TextDontClip, labelOf(q));
    }
    double free_from = g.matrix.left() - kGap;  // key labels left to right, none overlapping
    for (int k = 0; k < columnCount(); ++k) {
        const QString label = labelOf(k);
        const double half = metrics.horizontalAdvance(label) / 2.0;
        const double centre = g.matrix.left() + (k + 0.5) * g.cell;
        if (centre - half < free_from) continue;
        painter.drawText(
            QRectF(centre - half, g.matrix.bottom() + kGap, 2 * half, metrics.height()),
            Qt::AlignHCenter | Qt::AlignTop, label);
        free_from = centre + half + metrics.horizontalAdvance(' ');
    }

    painter.setFont(captionFont(*this));
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const QFontMetrics caption(painter.font());
    const QRectF below(g.matrix.left(), g.matrix.bottom() + kGap + metrics.height() + kGap,
                       g.matrix.width(), caption.height());
    painter.drawText(below, Qt::AlignHCenter | Qt::AlignTop,
                     tr("key: the token attended to \u2192"));
    painter.save();
    // Rotated to read upwards, just left of the query labels.
    painter.translate(g.matrix.left() - kGap - g.label_width - kGap - caption.height(),
                      g.matrix.bottom());
    painter.rotate(-90);
    painter.drawText(QRectF(0, 0, g.matrix.height(), caption.height()),
                     Qt::AlignHCenter | Qt::AlignTop, tr("query: the token attending \u2192"));
    painter.restore();
}

void HeatmapWidget::paintColorbar(QPainter& painter, const Geometry& g) const {
    const auto& table = Colormap::viridis().table();
    QImage bar(1, int(table.size()), QImage::Format_RGB32);
    for (int i = 0; i < bar.height(); ++i)
        bar.setPixel(0, i, table[table.size() - 1 - i]);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter.drawImage(g.colorbar, bar);

    painter.setFont(labelFont(*this));
    painter.setPen(palette().color(QPalette::WindowText));
    const QFontMetrics metrics(painter.font());
    for (double value : {0.0, 0.25, 0.5, 0.75, 1.0}) {
        const double y = g.colorbar.bottom() - value * g.colorbar.height();
        painter.drawLine(QPointF(g.colorbar.right(), y), QPointF(g.colorbar.right() + 4, y));
        const QRectF where(g.colorbar.right() + kGap, y - metrics.height() / 2.0, 60,
                           metrics.height());
        painter.drawText(where, Qt::AlignLeft | Qt::AlignVCenter, QString::number(value, 'f', 2));
    }
}

void HeatmapWidget::mouseMoveEvent(QMouseEvent* event) {
    const Geometry g = geometry();
    const QPointF at = event->position();
    if (m_image.isNull() || !g.matrix.contains(at) || g.cell <= 0) {
        QToolTip::hideText();
        return;
    }
    const int k = std::min(columnCount() - 1, int((at.x() - g.matrix.left()) / g.cell));
    const int q = std::min(rowCount() - 1, int((at.y() - g.matrix.top()) / g.cell));
    const QString pair = tr("query %1 \u201c%2\u201d \u2192 key %3 \u201c%4\u201d")
                             .arg(q)
                             .arg(labelOf(q))
                             .arg(k)
                             .arg(labelOf(k));
    const QString value = k > q ? tr("masked: a token cannot attend to the future")
                                : tr("weight %1").arg(double(m_weights(q, k)), 0, 'f', 4);
    QToolTip::showText(event->globalPosition().toPoint(), pair + "\n" + value, this);
}

}  // namespace kvscope

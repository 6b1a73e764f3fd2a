#include "ui/generate/head_grid_widget.h"

#include "ui/generate/heatmap_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace kvscope {
namespace {

constexpr double kPad = 12;

}  // namespace

HeadGridWidget::HeadGridWidget(const AttentionImages* images, QWidget* parent)
    : QWidget(parent), m_images(images) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeadGridWidget::setView(std::int64_t n_pos, std::int64_t heads_per_kv) {
    m_n_pos = n_pos;
    m_heads_per_kv = std::max<std::int64_t>(1, heads_per_kv);
    update();
}

void HeadGridWidget::setSelected(int layer, int head) {
    m_layer = layer;
    m_head = head;
    update();
}

void HeadGridWidget::setEvicted(std::vector<std::vector<std::vector<bool>>> evicted) {
    m_evicted = std::move(evicted);
    update();
}

bool HeadGridWidget::isEvictedColumn(int layer, int head, int key) const {
    if (layer < 0 || head < 0 || key < 0 || layer >= int(m_evicted.size())) return false;
    const auto& heads = m_evicted[std::size_t(layer)];
    const std::size_t kv_head = std::size_t(head / m_heads_per_kv);
    if (kv_head >= heads.size()) return false;
    const std::vector<bool>& keys = heads[kv_head];
    return key < int(keys.size()) && keys[std::size_t(key)];
}

std::vector<int> HeadGridWidget::evictedColumns(int layer, int head) const {
    std::vector<int> out;
    for (int key = 0; key < int(m_n_pos); ++key)
        if (isEvictedColumn(layer, head, key)) out.push_back(key);
    return out;
}

HeadGridWidget::Geometry HeadGridWidget::geometry() const {
    Geometry g;
    const double layers = double(std::max<std::int64_t>(1, m_images->layers()));
    const double heads = double(std::max<std::int64_t>(1, m_images->heads()));
    const double groups = std::ceil(heads / double(m_heads_per_kv));
    const QFontMetricsF metrics(font());
    const double label_w = metrics.horizontalAdvance(QStringLiteral("L00 ")) + 4;
    const double label_h = 2 * metrics.height() + 6;  // title + group brackets
    const double avail_w = width() - 2 * kPad - label_w;
    const double avail_h = height() - 2 * kPad - label_h;
    // gap = side / 12, group gap = side / 3: solve for the side that fits both ways.
    const double side_w = avail_w / (heads + (heads - groups) / 12.0 + (groups - 1) / 3.0);
    const double side_h = avail_h / (layers + (layers - 1) / 12.0);
    g.side = std::max(4.0, std::floor(std::min(side_w, side_h)));
    g.gap = std::max(2.0, std::round(g.side / 12.0));
    g.group_gap = std::max(6.0, std::round(g.side / 3.0));
    g.left = kPad + label_w;
    g.top = kPad + label_h;
    return g;
}

QRectF HeadGridWidget::thumbnailRect(int layer, int head) const {
    if (layer < 0 || layer >= m_images->layers() || head < 0 || head >= m_images->heads())
        return {};
    const Geometry g = geometry();
    const int group = int(head / m_heads_per_kv);
    const double x = g.left + head * g.side + (head - group) * g.gap + group * g.group_gap;
    const double y = g.top + layer * (g.side + g.gap);
    return {x, y, g.side, g.side};
}

void HeadGridWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QColor ink = palette().color(QPalette::WindowText);
    const QColor quiet = palette().color(QPalette::PlaceholderText);
    painter.setPen(ink);
    QFont title = font();
    title.setBold(true);
    painter.setFont(title);
    painter.drawText(QRectF(kPad, kPad / 2, width() - 2 * kPad, QFontMetricsF(title).height()),
                     Qt::AlignLeft | Qt::AlignVCenter,
                     tr("All heads \u00b7 %1 layers \u00d7 %2 query heads \u00b7 %3 \u00d7 %3")
                         .arg(m_images->layers())
                         .arg(m_images->heads())
                         .arg(m_n_pos));
    painter.setFont(font());
    if (m_n_pos <= 0 || m_images->recordsPainted() == 0) return;

    const Geometry g = geometry();
    const QFontMetricsF metrics(font());
    // Group brackets: one per KV head, over the query heads that share it.
    const std::int64_t n_groups = (m_images->heads() + m_heads_per_kv - 1) / m_heads_per_kv;
    for (std::int64_t group = 0; group < n_groups && m_heads_per_kv > 1; ++group) {
        const QRectF first = thumbnailRect(0, int(group * m_heads_per_kv));
        const int last_head = int(std::min(m_images->heads(), (group + 1) * m_heads_per_kv) - 1);
        const QRectF last = thumbnailRect(0, last_head);
        const double y = g.top - 6;
        painter.setPen(QPen(quiet, 1.5));
        painter.drawLine(QPointF(first.left(), y), QPointF(last.right(), y));
        painter.drawLine(QPointF(first.left(), y), QPointF(first.left(), y + 4));
        painter.drawLine(QPointF(last.right(), y), QPointF(last.right(), y + 4));
        painter.setPen(quiet);
        painter.drawText(QRectF(first.left(), y - metrics.height() - 2, last.right() - first.left(),
                                metrics.height()),
                         Qt::AlignCenter, tr("KV head %1").arg(group));
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    const QRect source(0, 0, int(m_n_pos), int(m_n_pos));
    for (int layer = 0; layer < m_images->layers(); ++layer) {
        const QRectF row = thumbnailRect(layer, 0);
        painter.setPen(ink);
        painter.drawText(QRectF(kPad, row.top(), g.left - kPad - 4, row.height()),
                         Qt::AlignRight | Qt::AlignVCenter, tr("L%1").arg(layer));
        for (int head = 0; head < m_images->heads(); ++head) {
            const QRectF where = thumbnailRect(layer, head);
            painter.drawImage(where, m_images->image(layer, head), source);
            paintEvicted(painter, layer, head, where);
            if (layer == m_layer && head == m_head) {
                painter.setPen(QPen(palette().color(QPalette::Highlight), 3));
                painter.setBrush(Qt::NoBrush);
                painter.drawRect(where.adjusted(-2, -2, 2, 2));
            }
        }
    }
}

// The evicted keys' columns of one thumbnail, from the diagonal down (the rows that could have read
// them): darkened, then hatched in the heatmap's hatch colour. A thumbnail cell is often under a
// pixel wide, so runs of evicted keys are filled as one staircase of columns.
void HeadGridWidget::paintEvicted(QPainter& painter, int layer, int head,
                                  const QRectF& where) const {
    if (m_n_pos <= 0) return;
    const double cell = where.width() / double(m_n_pos);
    painter.save();
    painter.setClipRect(where);
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setBrushOrigin(where.topLeft());
    const QBrush hatch(HeatmapWidget::hatchColor(), Qt::BDiagPattern);
    for (int key = 0; key < int(m_n_pos); ++key) {
        if (!isEvictedColumn(layer, head, key)) continue;
        const QRectF column(where.left() + key * cell, where.top() + key * cell, cell,
                            where.height() - key * cell);
        painter.fillRect(column, QColor(0, 0, 0, 70));  // darkened, then hatched (as the heatmap)
        painter.fillRect(column, hatch);
    }
    painter.restore();
}

QPoint HeadGridWidget::headAt(QPointF point) const {
    for (int layer = 0; layer < m_images->layers(); ++layer) {
        for (int head = 0; head < m_images->heads(); ++head) {
            if (thumbnailRect(layer, head).contains(point)) return {head, layer};
        }
    }
    return {-1, -1};
}

void HeadGridWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;  // the right button opens the export menu
    const QPoint at = headAt(event->position());
    if (at.x() < 0) return;
    setSelected(at.y(), at.x());
    emit headClicked(at.y(), at.x());
}

void HeadGridWidget::mouseMoveEvent(QMouseEvent* event) {
    const QPoint at = headAt(event->position());
    if (at.x() < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("layer %1, head %2 (reads KV head %3)\nclick to open it")
                           .arg(at.y())
                           .arg(at.x())
                           .arg(at.x() / m_heads_per_kv),
                       this);
}

}  // namespace kvscope

#include "ui/paging/block_grid_legend.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace kvscope {

namespace {

constexpr int kGap = 14;  // between items

}  // namespace

BlockGridLegend::BlockGridLegend(QWidget* parent) : QWidget(parent) {
    const QColor a = sequenceColor(3), b = sequenceColor(4);
    using sim::CellState;
    m_items = {
        {{CellState::InUse, {a}, 1, 1.0},
         tr("written"),
         tr("Token slots holding a token; one colour per request")},
        {{CellState::InUse, {a}, 1, 0.35},
         tr("reserved, empty"),
         tr("Slots set aside for the request that hold no token yet (the pale part)")},
        {{CellState::InUse, {a, b}, 2, 1.0},
         tr("shared (ref. count)"),
         tr("A block held by several sequences (stripes: their colours); the number is its "
            "reference count")},
        {{CellState::InUse, {b}, 1, 1.0, true},
         tr("cached prefix"),
         tr("A full prompt block registered in the prefix index (corner mark)")},
        {{CellState::CachedFree, {}, 0, 1.0, true},
         tr("free, cached"),
         tr("Freed, but still holding a cached prefix: a later request with the same prefix "
            "reuses it, until it is evicted (least recently freed first)")},
        {{CellState::Free, {}, 0, 0.0}, tr("free"), tr("A free block")},
    };
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

QStringList BlockGridLegend::labels() const {
    QStringList out;
    for (const Item& item : m_items)
        out << item.label;
    return out;
}

int BlockGridLegend::itemWidth(const Item& item) const {
    const int side = fontMetrics().height() + 4;
    return side + 5 + fontMetrics().horizontalAdvance(item.label);
}

std::vector<QRect> BlockGridLegend::place(int width) const {
    const int side = fontMetrics().height() + 4;
    std::vector<QRect> out;
    int x = 0, y = 0;
    for (const Item& item : m_items) {
        const int w = itemWidth(item);
        if (x > 0 && x + w > width) {  // wrap
            x = 0;
            y += side + 4;
        }
        out.emplace_back(x, y, side, side);
        x += w + kGap;
    }
    return out;
}

int BlockGridLegend::heightForWidth(int width) const {
    const std::vector<QRect> rects = place(width);
    return rects.empty() ? 0 : rects.back().bottom() + 1;
}

QSize BlockGridLegend::sizeHint() const {
    int w = 0;
    for (const Item& item : m_items)
        w += itemWidth(item) + kGap;
    return {w, heightForWidth(w)};
}

QSize BlockGridLegend::minimumSizeHint() const {
    int w = 0;
    for (const Item& item : m_items)
        w = std::max(w, itemWidth(item));
    // One row: layouts ask heightForWidth() for the rows the width really needs.
    return {w, fontMetrics().height() + 4};
}

bool BlockGridLegend::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const std::vector<QRect> rects = place(width());
        for (std::size_t i = 0; i < rects.size(); ++i) {
            QRect r = rects[i];
            r.setWidth(itemWidth(m_items[i]));
            if (r.contains(help->pos())) {
                QToolTip::showText(help->globalPos(), m_items[i].tooltip, this, r);
                return true;
            }
        }
        QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void BlockGridLegend::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const std::vector<QRect> rects = place(width());
    painter.setPen(palette().color(QPalette::WindowText));
    for (std::size_t i = 0; i < rects.size(); ++i) {
        const QRect& r = rects[i];
        paintCell(painter, QRectF(r), m_items[i].look, palette());
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(r.right() + 6, r.top(), width(), r.height()),
                         Qt::AlignVCenter | Qt::AlignLeft, m_items[i].label);
    }
}

}  // namespace kvscope

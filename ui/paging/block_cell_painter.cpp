#include "ui/paging/block_cell_painter.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

#include "ui/style/chart_style.h"

namespace kvscope {

namespace {

constexpr int kMaxStripes = 4;  // a shared cell shows at most this many owners' colours

QColor paleOf(const QColor& color, const QPalette& palette) {
    return mixColors(color, palette.color(QPalette::Base), 0.72);
}

}  // namespace

QColor sequenceColor(std::int64_t request) {
    const double golden = 137.50776405;  // degrees
    const double hue = std::fmod(double(request) * golden + 210.0, 360.0);
    static constexpr double kLightness[] = {0.52, 0.42, 0.62};
    return QColor::fromHslF(float(hue / 360.0), 0.62f, float(kLightness[std::size_t(request % 3)]));
}

CellLook cellLook(const sim::PoolCell& cell, bool selected) {
    CellLook look;
    look.state = cell.state;
    look.ref_count = cell.ref_count;
    look.cached = cell.hash.has_value();
    look.selected = selected;
    look.filled = cell.capacity > 0 ? double(cell.fill) / double(cell.capacity) : 0.0;
    for (const sim::SimSeq& seq : cell.owners)
        look.owners.push_back(sequenceColor(seq.request));
    return look;
}

void paintCell(QPainter& painter, const QRectF& rect, const CellLook& look,
               const QPalette& palette) {
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    const QRectF r = rect.adjusted(1, 1, -1, -1);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    if (look.state == sim::CellState::Free) {
        painter.fillRect(r, mixColors(base, text, 0.05));
        painter.setPen(QPen(mixColors(base, text, 0.18), 1));
        painter.drawRect(r.adjusted(0, 0, -1, -1));
    } else if (look.state == sim::CellState::CachedFree) {
        painter.fillRect(r, mixColors(base, text, 0.10));
        QBrush hatch(mixColors(base, text, 0.45), Qt::BDiagPattern);
        painter.fillRect(r, hatch);
        painter.setPen(QPen(mixColors(base, text, 0.55), 1, Qt::DashLine));
        painter.drawRect(r.adjusted(0, 0, -1, -1));
    } else {
        // Stripes of the owners' colours (one for a single owner): solid over the filled part,
        // pale over the slots not written yet.
        const int n = std::clamp(int(look.owners.size()), 1, kMaxStripes);
        const double filled_w = r.width() * std::clamp(look.filled, 0.0, 1.0);
        for (int i = 0; i < n; ++i) {
            const QColor color =
                look.owners.empty() ? text : look.owners[std::size_t(i) % look.owners.size()];
            const QRectF band(r.left(), r.top() + r.height() * i / n, r.width(), r.height() / n);
            painter.fillRect(band, paleOf(color, palette));
            painter.fillRect(QRectF(band.left(), band.top(), filled_w, band.height()), color);
        }
    }
    painter.setRenderHint(QPainter::Antialiasing, true);
    if (look.cached && look.state == sim::CellState::InUse) {  // corner mark: a cached prefix
        const double s = std::min(r.width(), r.height()) * 0.3;
        QPainterPath corner;
        corner.moveTo(r.topRight());
        corner.lineTo(r.right() - s, r.top());
        corner.lineTo(r.right(), r.top() + s);
        corner.closeSubpath();
        QColor mark = mixColors(text, base, 0.1);
        mark.setAlpha(170);
        painter.fillPath(corner, mark);
    }
    if (look.ref_count > 1) {  // the reference-count badge
        QFont font = painter.font();
        font.setBold(true);
        font.setPixelSize(std::max(7, int(std::min(r.width(), r.height()) * 0.5)));
        painter.setFont(font);
        const QString label = QString::number(look.ref_count);
        const QFontMetricsF fm(font);
        const double w = std::min(r.width() - 2, fm.horizontalAdvance(label) + fm.height() * 0.5);
        const double h = std::min(r.height() - 2, fm.height() * 1.05);
        const QRectF badge(r.center().x() - w / 2, r.center().y() - h / 2, w, h);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(20, 20, 24, 215));
        painter.drawRoundedRect(badge, h * 0.3, h * 0.3);
        painter.setPen(Qt::white);
        painter.drawText(badge, Qt::AlignCenter, label);
    }
    if (look.selected) {
        painter.setRenderHint(QPainter::Antialiasing, false);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(text, 2));
        painter.drawRect(rect.adjusted(1, 1, -2, -2));
    }
    painter.restore();
}

}  // namespace kvscope

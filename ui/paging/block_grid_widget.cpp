#include "ui/paging/block_grid_widget.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

#include "ui/paging/block_cell_painter.h"
#include "ui/style/chart_style.h"

namespace kvscope {

namespace {

constexpr int kMaxCell = 40;  // pixels; a small pool does not need giant squares
constexpr int kMinCell = 3;

QString stateName(sim::CellState state) {
    switch (state) {
        case sim::CellState::Free:
            return QObject::tr("free");
        case sim::CellState::CachedFree:
            return QObject::tr("free, cached prefix (reusable until evicted)");
        case sim::CellState::InUse:
            return QObject::tr("in use");
    }
    return {};
}

}  // namespace

QString sequenceName(const sim::SimSeq& seq) {
    QString name = QObject::tr("request %1").arg(seq.request);
    if (seq.sample > 0) name += QObject::tr(" \u00b7 sample %1").arg(seq.sample);
    return name;
}

BlockGridWidget::BlockGridWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void BlockGridWidget::setSnapshot(const sim::PoolSnapshot& snapshot) {
    m_snapshot = snapshot;
    m_message.clear();
    layoutCells();
    update();
}

void BlockGridWidget::setMessage(const QString& message) {
    m_message = message;
    update();
}

void BlockGridWidget::setSelected(std::optional<sim::SimSeq> seq) {
    m_selected = seq;
    update();
}

void BlockGridWidget::layoutCells() {
    const int n = std::max<int>(1, int(m_snapshot.cells.size()));
    const int w = std::max(1, width() - 4), h = std::max(1, height() - 4);
    // The largest square that fits every cell: columns = w / s, rows = ceil(n / columns).
    int cell = kMaxCell;
    for (; cell > kMinCell; --cell) {
        const int columns = std::max(1, w / cell);
        const int rows = (n + columns - 1) / columns;
        if (rows * cell <= h) break;
    }
    m_cell = cell;
    m_columns = std::max(1, w / cell);
    // A pool too large for the widget even at the smallest cells: the first rows that fit, and a
    // note under them.
    const int rows_fit = std::max(1, (h - fontMetrics().height()) / cell);
    const bool overflow = (n + m_columns - 1) / m_columns > h / cell;
    m_visible = overflow ? std::min(n, m_columns * rows_fit) : n;
    const int rows = (m_visible + m_columns - 1) / m_columns;
    const int used_w = std::min(n, m_columns) * cell;
    m_origin = QPoint((width() - used_w) / 2, std::max(2, (height() - rows * cell) / 2));
}

QRect BlockGridWidget::cellRect(int index) const {
    return QRect(m_origin.x() + (index % m_columns) * m_cell,
                 m_origin.y() + (index / m_columns) * m_cell, m_cell, m_cell);
}

int BlockGridWidget::cellAt(const QPoint& pos) const {
    if (!m_message.isEmpty() || pos.x() < m_origin.x() || pos.y() < m_origin.y()) return -1;
    const int column = (pos.x() - m_origin.x()) / m_cell;
    const int row = (pos.y() - m_origin.y()) / m_cell;
    if (column >= m_columns) return -1;
    const int index = row * m_columns + column;
    return index < std::min(m_visible, int(m_snapshot.cells.size())) ? index : -1;
}

QString BlockGridWidget::cellTooltip(int index) const {
    const sim::PoolCell& cell = m_snapshot.cells[std::size_t(index)];
    QString text = tr("<b>Block %1</b> \u00b7 %2").arg(index).arg(stateName(cell.state));
    if (!cell.owners.empty()) {
        QStringList names;
        for (const sim::SimSeq& seq : cell.owners)
            names << sequenceName(seq);
        text += tr("<br>held by: %1").arg(names.join(QStringLiteral(", ")));
    }
    text += tr("<br>reference count: %1").arg(cell.ref_count);
    text += tr("<br>tokens: %1 / %2 slots").arg(cell.fill).arg(cell.capacity);
    if (cell.hash)
        text += tr("<br>prefix hash: 0x%1").arg(qulonglong(*cell.hash), 16, 16, QLatin1Char('0'));
    return text;
}

bool BlockGridWidget::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int index = cellAt(help->pos());
        if (index >= 0) {
            QToolTip::showText(help->globalPos(), cellTooltip(index), this, cellRect(index));
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

void BlockGridWidget::mousePressEvent(QMouseEvent* event) {
    const int index = cellAt(event->position().toPoint());
    if (index < 0) return;
    const sim::PoolCell& cell = m_snapshot.cells[std::size_t(index)];
    if (!cell.owners.empty()) emit sequenceClicked(cell.owners.front());
}

void BlockGridWidget::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    layoutCells();
}

void BlockGridWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    if (!m_message.isEmpty()) {
        painter.setPen(errorColor(palette()));
        painter.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap,
                         m_message);
        return;
    }
    const std::size_t n = std::min(m_snapshot.cells.size(), std::size_t(m_visible));
    for (std::size_t i = 0; i < n; ++i) {
        const sim::PoolCell& cell = m_snapshot.cells[i];
        const bool selected = m_selected && std::find(cell.owners.begin(), cell.owners.end(),
                                                      *m_selected) != cell.owners.end();
        paintCell(painter, cellRect(int(i)), cellLook(cell, selected), palette());
    }
    if (n < m_snapshot.cells.size()) {
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(rect().adjusted(4, 0, -4, -2), Qt::AlignBottom | Qt::AlignHCenter,
                         tr("Blocks 0 to %1 of %2 shown: enlarge the window to see them all")
                             .arg(n - 1)
                             .arg(m_snapshot.cells.size()));
    }
}

}  // namespace kvscope

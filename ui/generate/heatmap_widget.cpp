#include "ui/generate/heatmap_widget.h"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "ui/generate/attention_images.h"
#include "ui/style/colormap.h"
#include "ui/widgets/view_parts.h"

namespace kvscope {
namespace {

constexpr int kPad = 12;  // around everything
constexpr int kGap = 8;   // between labels and cells
constexpr int kColorbarWidth = 18;
constexpr int kColorbarGap = 24;  // between the matrix and the colour bar
const QColor kGridColor(255, 255, 255, 150);
const QColor kNewRowColor(255, 64, 64);

QFont labelFont(const QWidget& widget) {
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(widget.font().pointSizeF() * 0.9);
    return font;
}

}  // namespace

QFont HeatmapWidget::titleFont() const {
    QFont out = font();
    out.setBold(true);
    out.setPointSizeF(out.pointSizeF() * 1.15);
    return out;
}

QFont HeatmapWidget::captionFont() const {
    QFont out = font();
    out.setPointSizeF(out.pointSizeF() * 0.9);
    return out;
}

QRect HeatmapWidget::titleRect() const {
    const int room = std::max(1, width() - 2 * kPad);
    const QRect needed =
        QFontMetrics(titleFont())
            .boundingRect(QRect(0, 0, room, 1 << 16),
                          Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, m_title);
    return QRect(kPad, kPad, room, std::max(needed.height(), QFontMetrics(titleFont()).height()));
}

QString HeatmapWidget::queryCaption() const {
    const QString full = tr("query: the token attending \u2192");
    const double room = m_image.isNull() ? 0.0 : geometry().matrix.height();
    return QFontMetrics(captionFont()).horizontalAdvance(full) <= room ? full : tr("query \u2192");
}

HeatmapWidget::HeatmapWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapWidget::setMatrix(const Matrix& weights, const QStringList& labels) {
    const bool grew = weights.rows() != m_weights.rows();
    m_weights = weights;
    m_labels = labels;
    if (grew && m_view_size > 0) zoomTo(m_view_origin.y(), m_view_origin.x(), m_view_size);
    rebuildImage();
}

double HeatmapWidget::scaled(double weight) const {
    return attentionScale(weight, m_log_scale);
}

void HeatmapWidget::rebuildImage() {
    const Colormap& map = Colormap::viridis();
    const QRgb masked = attentionMaskedColor(palette()).rgb();
    m_image = QImage(int(m_weights.cols()), int(m_weights.rows()), QImage::Format_RGB32);
    for (int q = 0; q < m_image.height(); ++q) {
        auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(q));
        for (int k = 0; k < m_image.width(); ++k)
            line[k] = k > q ? masked : map.color(scaled(double(m_weights(q, k))));
    }
    update();
}

void HeatmapWidget::clear() {
    m_new_first = m_new_count = 0;
    m_evicted.clear();
    m_selected_row = -1;
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

void HeatmapWidget::setNewRows(int first, int count) {
    m_new_first = first;
    m_new_count = std::max(0, count);
    update();
}

void HeatmapWidget::setEvictedColumns(std::vector<bool> evicted) {
    m_evicted = std::move(evicted);
    update();
}

QColor HeatmapWidget::hatchColor() {
    return QColor(255, 110, 64, 230);  // orange-red: apart from viridis and the red new-row box
}

void HeatmapWidget::setSelectedRow(int row) {
    m_selected_row = row;
    // Bring the row into view when zoomed.
    if (row >= 0 && m_view_size > 0 &&
        (row < m_view_origin.y() || row >= m_view_origin.y() + m_view_size)) {
        zoomTo(row - m_view_size / 2, m_view_origin.x(), m_view_size);
    }
    update();
}

void HeatmapWidget::setLogScale(bool on) {
    if (on == m_log_scale) return;
    m_log_scale = on;
    rebuildImage();
}

void HeatmapWidget::setFrameTimeOverlay(bool on) {
    m_overlay = on;
    update();
}

int HeatmapWidget::viewSize() const {
    const int n = std::max(rowCount(), columnCount());
    return m_view_size > 0 ? std::min(m_view_size, n) : n;
}

void HeatmapWidget::zoomTo(int first_query, int first_key, int size) {
    const int n = std::max(rowCount(), columnCount());
    m_view_size = size <= 0 || size >= n ? 0 : std::max(size, 4);
    const int span = viewSize();
    m_view_origin = QPoint(std::clamp(first_key, 0, std::max(0, n - span)),
                           std::clamp(first_query, 0, std::max(0, n - span)));
    if (m_view_size == 0) m_view_origin = QPoint(0, 0);
    update();
}

QString HeatmapWidget::labelOf(int position) const {
    return position < m_labels.size() ? m_labels[position] : QString::number(position);
}

HeatmapWidget::Geometry HeatmapWidget::geometry() const {
    Geometry g;
    g.count = viewSize();
    g.first_query = m_view_origin.y();
    g.first_key = m_view_origin.x();
    const QFontMetrics labels(labelFont(*this));
    const QFontMetrics caption(captionFont());
    for (int i = 0; i < g.count; ++i) {
        g.label_width =
            std::max({g.label_width, labels.horizontalAdvance(labelOf(g.first_query + i)),
                      labels.horizontalAdvance(labelOf(g.first_key + i))});
    }
    const int title_height = titleRect().height() + kGap;
    const int left = kPad + caption.height() + kGap + g.label_width + kGap;
    const int bottom = kPad + caption.height() + kGap + labels.height() + kGap;
    const int right =
        kPad + kColorbarGap + kColorbarWidth + kGap + labels.horizontalAdvance("1e-4 ");
    const int top = kPad + title_height;

    // The matrix fills the room, whatever the number of positions: the image is scaled up by
    // nearest neighbour, so cells stay flat squares, at most one pixel apart in size.
    const double side = std::max(0, std::min(width() - left - right, height() - top - bottom));
    g.cell = side / std::max(g.count, 1);
    // Centre the matrix (with its labels and colour bar) in the width left over.
    const double spare = std::max(0.0, width() - left - right - g.cell * g.count);
    g.matrix = QRectF(std::round(left + spare / 2), top, side, side);
    g.colorbar = QRectF(g.matrix.right() + kColorbarGap, top, kColorbarWidth,
                        std::max(g.matrix.height(), 120.0));
    g.query_label_every =
        std::max(1, int(std::ceil((labels.height() + 1) / std::max(g.cell, 0.01))));
    return g;
}

QRectF HeatmapWidget::matrixRect() const {
    return geometry().matrix;
}

double HeatmapWidget::cellSize() const {
    return geometry().cell;
}

void HeatmapWidget::paintEvent(QPaintEvent*) {
    QElapsedTimer clock;
    clock.start();
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setRenderHint(QPainter::TextAntialiasing, true);

    painter.setFont(titleFont());
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(titleRect(), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, m_title);

    if (m_image.isNull()) {
        painter.setFont(font());
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const Geometry g = geometry();
    paintMatrix(painter, g);
    paintEvicted(painter, g);
    paintMarks(painter, g);
    paintAxes(painter, g);
    paintColorbar(painter, g);
    m_last_paint_ms = double(clock.nsecsElapsed()) / 1e6;
    if (m_overlay) {
        painter.setFont(labelFont(*this));
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(0, 0, -kPad, -4), Qt::AlignRight | Qt::AlignBottom,
                         tr("frame %1 ms").arg(m_last_paint_ms, 0, 'f', 2));
    }
}

void HeatmapWidget::paintMatrix(QPainter& painter, const Geometry& g) const {
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);  // one flat colour per cell
    const QRect source(g.first_key, g.first_query, g.count, g.count);
    painter.drawImage(g.matrix, m_image, source);
    if (g.cell < 8) return;
    // Thin lines between cells, in the causal (lower) triangle only: the mask stays one plain area.
    painter.setPen(QPen(kGridColor, 1));
    auto x_of = [&](int key) { return g.matrix.left() + (key - g.first_key) * g.cell; };
    auto y_of = [&](int query) { return g.matrix.top() + (query - g.first_query) * g.cell; };
    for (int k = g.first_key + 1; k < g.first_key + g.count; ++k) {  // left edge of key k
        const double top = std::max(g.matrix.top(), y_of(k));
        if (top < g.matrix.bottom())
            painter.drawLine(QPointF(x_of(k), top), QPointF(x_of(k), g.matrix.bottom()));
    }
    for (int q = g.first_query + 1; q < g.first_query + g.count; ++q) {  // top edge of query q
        const double right = std::min(g.matrix.right(), x_of(q + 1));
        if (right > g.matrix.left())
            painter.drawLine(QPointF(g.matrix.left(), y_of(q)), QPointF(right, y_of(q)));
    }
}

// Evicted keys: their columns hatched from the diagonal down (the rows that could have read them).
void HeatmapWidget::paintEvicted(QPainter& painter, const Geometry& g) const {
    if (m_evicted.empty() || g.cell <= 0) return;
    painter.save();
    painter.setClipRect(g.matrix);
    painter.setRenderHint(QPainter::Antialiasing, false);
    QBrush hatch(hatchColor(), Qt::BDiagPattern);
    // The pattern repeats every 8 pixels: one stripe per cell at least, even for small cells.
    if (g.cell >= 16) hatch.setTransform(QTransform::fromScale(g.cell / 8.0, g.cell / 8.0));
    painter.setBrushOrigin(g.matrix.topLeft());
    for (int k = g.first_key; k < g.first_key + g.count && k < int(m_evicted.size()); ++k) {
        if (!m_evicted[std::size_t(k)]) continue;
        const double x = g.matrix.left() + (k - g.first_key) * g.cell;
        const double top = std::max(g.matrix.top(), g.matrix.top() + (k - g.first_query) * g.cell);
        const QRectF column(x, top, g.cell, g.matrix.bottom() - top);
        painter.fillRect(column, QColor(0, 0, 0, 70));  // darkened, then hatched
        painter.fillRect(column, hatch);
    }
    painter.restore();
}

// The rows the step on screen added (outlined) and the selected query row (a bar beside it).
void HeatmapWidget::paintMarks(QPainter& painter, const Geometry& g) const {
    painter.save();
    painter.setClipRect(g.matrix.adjusted(-2, -2, 2, 2));
    painter.setBrush(Qt::NoBrush);
    const double y_new = g.matrix.top() + (m_new_first - g.first_query) * g.cell;
    if (m_new_count > 0) {
        painter.setPen(QPen(kNewRowColor, 2));
        painter.drawRect(QRectF(g.matrix.left(), y_new, g.matrix.width(), m_new_count * g.cell));
    }
    if (m_selected_row >= 0 && m_selected_row < rowCount()) {
        const double y = g.matrix.top() + (m_selected_row - g.first_query) * g.cell;
        painter.setPen(QPen(palette().color(QPalette::Highlight), 2, Qt::DashLine));
        painter.drawRect(QRectF(g.matrix.left(), y, g.matrix.width(), std::max(g.cell, 2.0)));
    }
    painter.restore();
}

void HeatmapWidget::paintAxes(QPainter& painter, const Geometry& g) const {
    const QColor text = palette().color(QPalette::WindowText);
    const QFont labels = labelFont(*this);
    const QFontMetrics metrics(labels);
    painter.setFont(labels);
    painter.setPen(text);
    // Query labels down the left, key labels along the bottom; thinned out where cells are
    // smaller than the text.
    for (int i = 0; i < g.count; i += g.query_label_every) {
        const int q = g.first_query + i;
        const QRectF cell(0, g.matrix.top() + i * g.cell, g.matrix.left() - kGap, g.cell);
        QFont font = labels;
        font.setBold(q == m_selected_row);
        painter.setFont(font);
        painter.drawText(cell, Qt::AlignRight | Qt::AlignVCenter | Qt::TextDontClip, labelOf(q));
    }
    painter.setFont(labels);
    double free_from = g.matrix.left() - kGap;  // key labels left to right, none overlapping
    for (int i = 0; i < g.count; ++i) {
        const QString label = labelOf(g.first_key + i);
        const double half = metrics.horizontalAdvance(label) / 2.0;
        const double centre = g.matrix.left() + (i + 0.5) * g.cell;
        if (centre - half < free_from) continue;
        painter.drawText(
            QRectF(centre - half, g.matrix.bottom() + kGap, 2 * half, metrics.height()),
            Qt::AlignHCenter | Qt::AlignTop, label);
        free_from = centre + half + metrics.horizontalAdvance(' ');
    }

    painter.setFont(captionFont());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const QFontMetrics caption(painter.font());
    const QRectF below(g.matrix.left(), g.matrix.bottom() + kGap + metrics.height() + kGap,
                       g.matrix.width(), caption.height());
    const QString zoom =
        viewSize() < std::max(rowCount(), columnCount())
            ? tr("  \u00b7  zoomed: %1 of %2 (double-click: all)").arg(viewSize()).arg(rowCount())
            : QString();
    painter.drawText(below, Qt::AlignHCenter | Qt::AlignTop | Qt::TextDontClip,
                     tr("key: the token attended to \u2192") + zoom);
    painter.save();
    // Rotated to read upwards, just left of the query labels.
    painter.translate(g.matrix.left() - kGap - g.label_width - kGap - caption.height(),
                      g.matrix.bottom());
    painter.rotate(-90);
    painter.drawText(QRectF(0, 0, g.matrix.height(), caption.height()),
                     Qt::AlignHCenter | Qt::AlignTop, queryCaption());
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
    auto tick = [&](double at, const QString& text) {
        const double y = g.colorbar.bottom() - at * g.colorbar.height();
        painter.drawLine(QPointF(g.colorbar.right(), y), QPointF(g.colorbar.right() + 4, y));
        const QRectF where(g.colorbar.right() + kGap, y - metrics.height() / 2.0, 60,
                           metrics.height());
        painter.drawText(where, Qt::AlignLeft | Qt::AlignVCenter, text);
    };
    if (m_log_scale) {
        for (int e = kLogScaleFloor; e <= 0; ++e)
            tick(scaled(std::pow(10.0, e)),
                 e == 0 ? QStringLiteral("1") : QStringLiteral("1e%1").arg(e));
    } else {
        for (double value : {0.0, 0.25, 0.5, 0.75, 1.0})
            tick(value, QString::number(value, 'f', 2));
    }
}

QPoint HeatmapWidget::cellAt(const Geometry& g, QPointF point) const {
    if (m_image.isNull() || !g.matrix.contains(point) || g.cell <= 0) return {-1, -1};
    const int k =
        std::min(columnCount() - 1, g.first_key + int((point.x() - g.matrix.left()) / g.cell));
    const int q =
        std::min(rowCount() - 1, g.first_query + int((point.y() - g.matrix.top()) / g.cell));
    return {k, q};
}

void HeatmapWidget::mouseMoveEvent(QMouseEvent* event) {
    const Geometry g = geometry();
    if (m_dragging && g.cell > 0) {
        const QPointF moved = (event->position() - m_drag_from) / g.cell;
        zoomTo(m_drag_origin.y() - int(std::lround(moved.y())),
               m_drag_origin.x() - int(std::lround(moved.x())), m_view_size);
        return;
    }
    const QPoint cell = cellAt(g, event->position());
    if (cell.x() < 0) {
        QToolTip::hideText();
        return;
    }
    const int k = cell.x();
    const int q = cell.y();
    const QString pair = tr("query %1 \u201c%2\u201d \u2192 key %3 \u201c%4\u201d")
                             .arg(q)
                             .arg(labelOf(q))
                             .arg(k)
                             .arg(labelOf(k));
    QString value = k > q ? tr("masked: a token cannot attend to the future")
                          : tr("weight %1").arg(double(m_weights(q, k)), 0, 'f', 4);
    if (isEvictedColumn(k)) value += tr("\nkey %1 is evicted: the cache no longer holds it").arg(k);
    QToolTip::showText(event->globalPosition().toPoint(), plainTooltip(pair + "\n" + value), this);
}

void HeatmapWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    m_drag_from = event->position();
    m_drag_origin = m_view_origin;
    m_dragging = m_view_size > 0;  // panning only makes sense when zoomed
    const QPoint cell = cellAt(geometry(), event->position());
    if (cell.y() >= 0 && !m_dragging) {
        setSelectedRow(cell.y());
        emit rowClicked(cell.y());
    }
}

void HeatmapWidget::mouseReleaseEvent(QMouseEvent* event) {
    if (m_dragging && (event->position() - m_drag_from).manhattanLength() < 3) {
        const QPoint cell = cellAt(geometry(), event->position());
        if (cell.y() >= 0) {
            setSelectedRow(cell.y());
            emit rowClicked(cell.y());
        }
    }
    m_dragging = false;
}

void HeatmapWidget::mouseDoubleClickEvent(QMouseEvent*) {
    resetZoom();
}

// Zooms by a factor of 1.25 per wheel notch, keeping the cell under the pointer in place.
void HeatmapWidget::wheelEvent(QWheelEvent* event) {
    const Geometry g = geometry();
    const int n = std::max(rowCount(), columnCount());
    if (n == 0 || g.cell <= 0) return;
    const double notches = event->angleDelta().y() / 120.0;
    const int size = int(std::lround(viewSize() * std::pow(1.25, -notches)));
    const QPointF at = (event->position() - g.matrix.topLeft()) / g.cell;  // cells from origin
    const double fx = std::clamp(at.x() / std::max(1, g.count), 0.0, 1.0);
    const double fy = std::clamp(at.y() / std::max(1, g.count), 0.0, 1.0);
    const double key = g.first_key + at.x();
    const double query = g.first_query + at.y();
    zoomTo(int(std::lround(query - fy * size)), int(std::lround(key - fx * size)), size);
    event->accept();
}

}  // namespace kvscope

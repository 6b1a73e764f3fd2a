#pragma once
// Paints one head's causal attention matrix: one cell per (query, key) pair coloured by its
// weight, masked future cells in grey, token labels on both axes and a colour bar. The rows the
// step on screen added are outlined, a selected query row is marked, hover names the pair and its
// weight. Wheel zooms around the pointer, dragging pans, double-click shows everything again; a
// log scale spreads out the small weights. Columns of key positions a bounded cache has evicted
// are hatched.
#include <QElapsedTimer>
#include <QImage>
#include <QStringList>
#include <QWidget>
#include <vector>

#include "core/model/model_weights.h"

namespace kvscope {

class HeatmapWidget : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapWidget(QWidget* parent = nullptr);

    /// weights: [n_query][n_key], each in [0, 1]; cells right of the diagonal are drawn as masked.
    /// labels: one per position (may be empty; then positions are numbered).
    void setMatrix(const Matrix& weights, const QStringList& labels);
    void clear();
    void setTitle(const QString& title);
    /// Shown instead of the matrix while it is empty.
    void setPlaceholder(const QString& text);
    /// Outlines query rows [first, first + count): what the current step computed.
    void setNewRows(int first, int count);
    /// Hatches the columns of keys a bounded cache no longer holds: evicted[k] (may be shorter
    /// than the matrix, empty for none).
    void setEvictedColumns(std::vector<bool> evicted);
    const std::vector<bool>& evictedColumns() const { return m_evicted; }
    bool isEvictedColumn(int key) const {
        return key >= 0 && key < int(m_evicted.size()) && m_evicted[std::size_t(key)];
    }
    /// The hatch's colour: dark over light cells and light over dark ones would be busy; one
    /// colour that reads over viridis and the masked grey in both palettes.
    static QColor hatchColor();
    /// Marks one query row (-1: none), e.g. the token clicked in the token strip.
    void setSelectedRow(int row);
    int selectedRow() const { return m_selected_row; }
    /// Colours log10(weight) over [1e-4, 1] instead of the weight over [0, 1].
    void setLogScale(bool on);
    bool logScale() const { return m_log_scale; }
    /// Shows `size` positions on each axis, from query `first_query` and key `first_key`;
    /// clamped to the matrix. size 0 shows everything.
    void zoomTo(int first_query, int first_key, int size);
    void resetZoom() { zoomTo(0, 0, 0); }
    /// Positions in view on each axis, and the first query and key in view.
    int viewSize() const;
    QPoint viewOrigin() const { return m_view_origin; }  // x: key, y: query
    /// Draws the last paint's duration in a corner (a debug overlay for smoothness).
    void setFrameTimeOverlay(bool on);
    /// Milliseconds the last paintEvent took.
    double lastPaintMs() const { return m_last_paint_ms; }

    int rowCount() const { return int(m_weights.rows()); }
    int columnCount() const { return int(m_weights.cols()); }
    const Matrix& weights() const { return m_weights; }
    /// One label per position (may be empty).
    const QStringList& labels() const { return m_labels; }
    /// The matrix rendered one pixel per cell (what paintEvent scales up).
    const QImage& image() const { return m_image; }
    QString title() const { return m_title; }
    /// Where the title is drawn: the full width less the padding, as many lines high as the
    /// title needs there (it wraps rather than running off the right edge).
    QRect titleRect() const;
    /// The font the title is drawn in (bold, a little larger than the widget's).
    QFont titleFont() const;
    /// The caption drawn up the left of the matrix: the long one when it fits along the matrix,
    /// else a short one.
    QString queryCaption() const;
    /// The font of the captions beside the matrix.
    QFont captionFont() const;
    /// Where the cells in view are drawn (widget pixels), and one cell's side: the matrix fills
    /// the room left by the labels and colour bar whatever the number of positions.
    QRectF matrixRect() const;
    double cellSize() const;
    /// The colour-bar value in [0, 1] of a weight under the current scale.
    double scaled(double weight) const;

    QSize sizeHint() const override { return {640, 560}; }
    QSize minimumSizeHint() const override { return {240, 200}; }

signals:
    void rowClicked(int row);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;

private:
    struct Geometry {
        QRectF matrix;              // where the cells in view go
        QRectF colorbar;            // the legend strip
        double cell = 0;            // side of one cell in pixels
        int first_query = 0;        // first row in view
        int first_key = 0;          // first column in view
        int count = 0;              // positions in view on each axis
        int query_label_every = 1;  // draw every n-th label down the left
        int label_width = 0;        // the widest position label
    };
    Geometry geometry() const;
    QString labelOf(int position) const;
    void rebuildImage();
    /// (query, key) under a widget point, or (-1, -1).
    QPoint cellAt(const Geometry& g, QPointF point) const;
    void paintMatrix(QPainter& painter, const Geometry& g) const;
    void paintMarks(QPainter& painter, const Geometry& g) const;
    void paintEvicted(QPainter& painter, const Geometry& g) const;
    void paintAxes(QPainter& painter, const Geometry& g) const;
    void paintColorbar(QPainter& painter, const Geometry& g) const;

    Matrix m_weights;  // [n_query][n_key]
    QStringList m_labels;
    QImage m_image;  // [n_query][n_key] pixels
    QString m_title;
    QString m_placeholder;
    int m_new_first = 0, m_new_count = 0;
    int m_selected_row = -1;
    std::vector<bool> m_evicted;  // [n_key] hatched columns
    bool m_log_scale = false;
    bool m_overlay = false;
    QPoint m_view_origin;  // x: first key, y: first query in view
    int m_view_size = 0;   // positions per axis in view; 0: everything
    QPointF m_drag_from;
    QPoint m_drag_origin;
    bool m_dragging = false;
    double m_last_paint_ms = 0;
};

}  // namespace kvscope

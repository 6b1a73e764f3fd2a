#pragma once
// Paints one head's causal attention matrix: one cell per (query, key) pair coloured by its
// weight, masked future cells in grey, token labels on both axes and a colour bar.
#include <QImage>
#include <QStringList>
#include <QWidget>

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

    int rowCount() const { return int(m_weights.rows()); }
    int columnCount() const { return int(m_weights.cols()); }
    /// The matrix rendered one pixel per cell (what paintEvent scales up).
    const QImage& image() const { return m_image; }
    QString title() const { return m_title; }

    QSize sizeHint() const override { return {640, 560}; }
    QSize minimumSizeHint() const override { return {240, 200}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    struct Geometry {
        QRectF matrix;              // where the cells go
        QRectF colorbar;            // the legend strip
        double cell = 0;            // side of one cell in pixels
        int query_label_every = 1;  // draw every n-th label down the left
        int label_width = 0;        // the widest position label
    };
    Geometry geometry() const;
    QString labelOf(int position) const;
    void paintMatrix(QPainter& painter, const Geometry& g) const;
    void paintAxes(QPainter& painter, const Geometry& g) const;
    void paintColorbar(QPainter& painter, const Geometry& g) const;

    Matrix m_weights;  // [n_query][n_key]
    QStringList m_labels;
    QImage m_image;  // [n_query][n_key] pixels
    QString m_title;
    QString m_placeholder;
};

}  // namespace kvscope

#pragma once
// Small multiples: every head of every layer at once, one thumbnail each (layers down, query
// heads across). Query heads that read the same KV head (GQA/MQA) stand together under one
// bracket, with a wider gap between groups. Under a bounded cache the columns of the keys a layer
// (per-head policies: the KV head the query head reads) no longer holds are hatched, from the
// diagonal down, as in the single-head heatmap. Clicking a thumbnail picks that head.
#include <QWidget>
#include <vector>

#include "ui/generate/attention_images.h"

class QPainter;

namespace kvscope {

class HeadGridWidget : public QWidget {
    Q_OBJECT
public:
    explicit HeadGridWidget(const AttentionImages* images, QWidget* parent = nullptr);

    /// n_pos: positions on screen (the cursor's); heads_per_kv: query heads per KV head.
    void setView(std::int64_t n_pos, std::int64_t heads_per_kv);
    void setSelected(int layer, int head);
    /// The keys each layer and KV head no longer holds: evicted[layer][kv_head][key] (shorter
    /// or empty lists: those keys held). Empty: nothing is hatched (a full cache).
    void setEvicted(std::vector<std::vector<std::vector<bool>>> evicted);
    /// Whether the column of `key` is hatched in the thumbnail of (layer, query head `head`).
    bool isEvictedColumn(int layer, int head, int key) const;
    /// The hatched columns of (layer, query head `head`), ascending.
    std::vector<int> evictedColumns(int layer, int head) const;
    /// Thumbnail rectangle of (layer, head) in widget coordinates (empty when out of range).
    QRectF thumbnailRect(int layer, int head) const;
    /// (x: head, y: layer) of the thumbnail under `point`, or (-1, -1).
    QPoint headAt(QPointF point) const;

    QSize sizeHint() const override { return {640, 560}; }

signals:
    void headClicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    struct Geometry {
        double left = 0, top = 0;  // of thumbnail (0, 0)
        double side = 0;           // thumbnail side
        double gap = 0;            // between heads of one group
        double group_gap = 0;      // between groups
    };
    Geometry geometry() const;
    void paintEvicted(QPainter& painter, int layer, int head, const QRectF& where) const;

    const AttentionImages* m_images;
    std::int64_t m_n_pos = 0;
    std::int64_t m_heads_per_kv = 1;
    int m_layer = 0, m_head = 0;
    std::vector<std::vector<std::vector<bool>>> m_evicted;  // [n_layers][n_kv_heads][n_key]
};

}  // namespace kvscope

#pragma once
// The Paging view's block grid: every cell of the simulated KV pool (PoolSnapshot) as a square,
// in cell-id order, row by row, as large as the widget allows. Hover for a cell's facts; a click
// picks the sequence that holds it (its cells get an outline).
#include <QWidget>
#include <optional>

#include "core/sim/pool_snapshot.h"

namespace kvscope {

class BlockGridWidget : public QWidget {
    Q_OBJECT
public:
    explicit BlockGridWidget(QWidget* parent = nullptr);

    /// Shows `snapshot` (a copy is kept). An empty message clears a message set before.
    void setSnapshot(const sim::PoolSnapshot& snapshot);
    /// Shows `message` instead of the grid (the policy cannot run, bad input).
    void setMessage(const QString& message);
    /// Outlines the cells of `seq` (nullopt: none).
    void setSelected(std::optional<sim::SimSeq> seq);

    const sim::PoolSnapshot& snapshot() const { return m_snapshot; }
    QString message() const { return m_message; }
    std::optional<sim::SimSeq> selected() const { return m_selected; }
    /// Cells drawn: all of them, unless even the smallest cells do not fit the widget.
    int visibleCells() const { return m_visible; }
    /// The cell under `pos` (widget coordinates), or -1.
    int cellAt(const QPoint& pos) const;
    /// Where cell `index` is drawn. Pre: 0 <= index < cell count.
    QRect cellRect(int index) const;
    /// The hover text of cell `index`: block id, state, owners, reference count, tokens / slots,
    /// prefix hash.
    QString cellTooltip(int index) const;

    QSize minimumSizeHint() const override { return {240, 120}; }

signals:
    /// A click on a cell held by `seq` (its first owner).
    void sequenceClicked(const kvscope::sim::SimSeq& seq);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void layoutCells();

    sim::PoolSnapshot m_snapshot;
    QString m_message;
    std::optional<sim::SimSeq> m_selected;
    int m_cell = 0;  // cell side in pixels
    int m_columns = 1;
    int m_visible = 0;  // cells drawn (all of them unless the pool is too large to fit)
    QPoint m_origin;    // top-left of cell 0
};

/// "request 12" (and " · sample 1" when the request has several samples, sample > 0).
QString sequenceName(const sim::SimSeq& seq);

}  // namespace kvscope

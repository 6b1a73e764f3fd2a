#pragma once
// The block grid's legend: one swatch per kind of cell, painted by the grid's own cell painter,
// with a short label each, wrapped onto as many rows as the width needs (hover an item for what
// it means).
#include <QStringList>
#include <QWidget>
#include <vector>

#include "ui/paging/block_cell_painter.h"

namespace kvscope {

class BlockGridLegend : public QWidget {
    Q_OBJECT
public:
    explicit BlockGridLegend(QWidget* parent = nullptr);
    /// The labels, in order (for tests).
    QStringList labels() const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    struct Item {
        CellLook look;
        QString label;
        QString tooltip;
    };
    /// Where each item goes at `width`: its swatch rectangle (the label follows it).
    std::vector<QRect> place(int width) const;
    int itemWidth(const Item& item) const;

    std::vector<Item> m_items;
};

}  // namespace kvscope

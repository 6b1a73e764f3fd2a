#pragma once
// A layout that places its items left to right and wraps onto a new line when the width runs
// out (Qt's "Flow Layout" example, trimmed): a row of legend swatches or buttons that stays one
// line on a wide window and never forces a narrow one wider than its widest item.
#include <QLayout>
#include <QList>

namespace kvscope {

class FlowLayout : public QLayout {
public:
    explicit FlowLayout(QWidget* parent = nullptr, int h_spacing = 6, int v_spacing = 4);
    ~FlowLayout() override;

    void addItem(QLayoutItem* item) override;
    int count() const override { return int(m_items.size()); }
    QLayoutItem* itemAt(int index) const override;
    QLayoutItem* takeAt(int index) override;
    Qt::Orientations expandingDirections() const override { return {}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize minimumSize() const override;
    QSize sizeHint() const override;
    void setGeometry(const QRect& rect) override;

private:
    /// Lays the items out in `rect` (or only measures, with `apply` false); returns the height.
    int arrange(const QRect& rect, bool apply) const;

    QList<QLayoutItem*> m_items;
    int m_h_spacing, m_v_spacing;
};

}  // namespace kvscope

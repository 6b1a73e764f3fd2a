#pragma once
// The block table of one sequence of the Paging view: pick a running sequence (or click one of
// its blocks in the grid) and read, per logical block, the physical block it maps to, the tokens
// that block holds, its reference count and whether it holds a cached prefix.
#include <QWidget>
#include <optional>

#include "core/sim/pool_snapshot.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QTableWidget;
QT_END_NAMESPACE

namespace kvscope {

class BlockTableView : public QWidget {
    Q_OBJECT
public:
    enum Column { Logical, Physical, Tokens, Refs, Cached, ColumnCount };

    explicit BlockTableView(QWidget* parent = nullptr);

    /// Lists the running sequences of `snapshot` and shows the table of `selected`.
    void show(const sim::PoolSnapshot& snapshot, std::optional<sim::SimSeq> selected);

    QComboBox* sequenceCombo() const { return m_combo; }
    QTableWidget* table() const { return m_table; }
    QLabel* caption() const { return m_caption; }

signals:
    /// The user picked `seq` in the list.
    void sequenceChosen(const kvscope::sim::SimSeq& seq);

private:
    QComboBox* m_combo = nullptr;
    QLabel* m_caption = nullptr;
    QTableWidget* m_table = nullptr;
};

}  // namespace kvscope

#pragma once
// The attention variants side by side: one column per variant (the model first), one row per
// figure: the kind, KV heads, KV bytes per token, per sequence and for the batch, whether it fits
// the GPU, and the largest context and batch that do. Byte cells show IEC units; their exact
// byte count is the cell's tooltip and its Qt::UserRole data (counts too).
#include <QTableWidget>

#include "core/memory/memory_study.h"

namespace kvscope {

class MemoryVariantsTable : public QTableWidget {
    Q_OBJECT
public:
    enum Row {
        KindRow,
        KvHeadsRow,
        PerTokenRow,
        PerSequenceRow,
        BatchRow,
        FitsRow,
        MaxContextRow,
        MaxBatchRow,
        RowCount
    };

    explicit MemoryVariantsTable(QWidget* parent = nullptr);

    /// One column per study.variants entry.
    void showStudy(const MemoryStudy& study);
    /// The column of the variant whose label starts with `label` ("MQA", "as-is"); -1 if none.
    int columnOf(const QString& label) const;
    /// The full label of the variant in `column` (the header shows it on two lines).
    QString variantLabel(int column) const;

    QSize sizeHint() const override;
    /// The width that shows every number in full: the row names, then every column as wide as
    /// the widest cell or heading of any column (the columns share the width equally).
    int contentWidth() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void recolour();

    QStringList m_labels;
};

}  // namespace kvscope

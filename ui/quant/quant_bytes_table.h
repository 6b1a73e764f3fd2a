#pragma once
// Bytes per layer in the Quantization view: one row per layer and a last row for the whole
// cache, columns fp32 K + V, the codec's K + V, and the share it saves. Byte cells show IEC units;
// their exact byte count is the cell's Qt::UserRole data (the saved share too, as a fraction) and
// the tooltip splits K and V.
#include <QTableWidget>
#include <vector>

#include "core/eval/quant_eval.h"

namespace kvscope {

class QuantBytesTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column { ReferenceColumn, SpecColumn, SavedColumn, ColumnCount };

    explicit QuantBytesTable(QWidget* parent = nullptr);

    /// The fp32 reference row and the spec's row of one QuantEvalResult.
    void showRows(const QuantEvalRow& reference, const QuantEvalRow& spec);
    void clearRows();

    QSize sizeHint() const override { return {300, 200}; }
};

}  // namespace kvscope

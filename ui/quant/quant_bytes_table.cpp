#include "ui/quant/quant_bytes_table.h"

#include <QHeaderView>
#include <QLocale>

#include "ui/style/format_bytes.h"

namespace kvscope {

namespace {

QString grouped(std::int64_t value) {
    return QLocale(QLocale::English).toString(qlonglong(value));
}

QTableWidgetItem* cellItem(const QString& text, const QVariant& data, const QString& tooltip) {
    auto* cell = new QTableWidgetItem(text);
    cell->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    cell->setData(Qt::UserRole, data);
    cell->setToolTip(tooltip);
    return cell;
}

QTableWidgetItem* bytesItem(std::int64_t bytes, const QString& tooltip) {
    return cellItem(bytesText(bytes), qlonglong(bytes), tooltip);
}

QString splitTip(const QString& what, std::int64_t k, std::int64_t v) {
    return QObject::tr("%1: K %2 B + V %3 B").arg(what, grouped(k), grouped(v));
}

}  // namespace

QuantBytesTable::QuantBytesTable(QWidget* parent) : QTableWidget(parent) {
    setColumnCount(ColumnCount);
    setHorizontalHeaderLabels({tr("fp32"), tr("codec"), tr("saved")});
    horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    horizontalHeader()->setSectionResizeMode(SavedColumn, QHeaderView::ResizeToContents);
    horizontalHeader()->setHighlightSections(false);
    verticalHeader()->setHighlightSections(false);
    verticalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    verticalHeader()->setToolTip(tr("L0, L1, ...: the layers; all: the whole cache"));
    setToolTip(
        tr("K + V bytes each layer holds after the teacher-forced sequence (IEC units; "
           "scales, zero points and recent windows included)"));
}

void QuantBytesTable::clearRows() {
    setRowCount(0);
}

void QuantBytesTable::showRows(const QuantEvalRow& reference, const QuantEvalRow& spec) {
    const std::vector<QuantLayerBytes> layers = quantLayerBytes(reference, spec);
    const QuantLayerBytes total = quantTotalBytes(reference, spec);
    setRowCount(int(layers.size()) + 1);
    const QString label = QString::fromStdString(spec.label);
    setHorizontalHeaderLabels({tr("fp32"), label, tr("saved")});
    QStringList rows;
    const auto fill = [&](int row, const QuantLayerBytes& bytes, const QString& ref_tip,
                          const QString& spec_tip) {
        setItem(row, ReferenceColumn, bytesItem(bytes.reference, ref_tip));
        setItem(row, SpecColumn, bytesItem(bytes.spec, spec_tip));
        setItem(row, SavedColumn,
                cellItem(QStringLiteral("%1%").arg(100.0 * bytes.saved, 0, 'f', 1), bytes.saved,
                         tr("1 - %1 / fp32").arg(label)));
    };
    for (std::size_t l = 0; l < layers.size(); ++l) {
        rows << tr("L%1").arg(l);
        fill(int(l), layers[l],
             splitTip(tr("fp32"), reference.layer_k_bytes[l], reference.layer_v_bytes[l]),
             splitTip(label, spec.layer_k_bytes[l], spec.layer_v_bytes[l]));
    }
    rows << tr("all");
    fill(int(layers.size()), total, tr("fp32: %1 B").arg(grouped(total.reference)),
         tr("%1: %2 B").arg(label, grouped(total.spec)));
    QFont bold = font();
    bold.setBold(true);
    for (int c = 0; c < ColumnCount; ++c)
        item(int(layers.size()), c)->setFont(bold);
    setVerticalHeaderLabels(rows);
}

}  // namespace kvscope

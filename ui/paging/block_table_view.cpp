#include "ui/paging/block_table_view.h"

#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QVBoxLayout>

#include "ui/paging/block_cell_painter.h"
#include "ui/paging/block_grid_widget.h"

namespace kvscope {

namespace {

QTableWidgetItem* cell(const QString& text, Qt::Alignment align = Qt::AlignRight) {
    auto* item = new QTableWidgetItem(text);
    item->setTextAlignment(align | Qt::AlignVCenter);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

}  // namespace

BlockTableView::BlockTableView(QWidget* parent) : QWidget(parent) {
    m_combo = new QComboBox;
    m_combo->setToolTip(tr("A running sequence (or click one of its blocks in the grid)"));
    m_caption = new QLabel;
    m_caption->setWordWrap(true);
    m_table = new QTableWidget(0, ColumnCount);
    m_table->setHorizontalHeaderLabels(
        {tr("logical"), tr("block"), tr("tokens"), tr("refs"), tr("cached")});
    m_table->horizontalHeaderItem(Logical)->setToolTip(tr("Logical block of the sequence"));
    m_table->horizontalHeaderItem(Physical)->setToolTip(
        tr("Physical block (grid cell) it maps to"));
    m_table->horizontalHeaderItem(Tokens)->setToolTip(tr("Tokens the block holds / its slots"));
    m_table->horizontalHeaderItem(Refs)->setToolTip(tr("The block's reference count"));
    m_table->horizontalHeaderItem(Cached)->setToolTip(
        tr("The block holds a cached prefix (registered in the prefix index)"));
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setMinimumSectionSize(24);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_combo);
    layout->addWidget(m_caption);
    layout->addWidget(m_table, 1);
    connect(m_combo, &QComboBox::activated, this, [this](int index) {
        const QVariantList v = m_combo->itemData(index).toList();
        if (v.size() == 2) emit sequenceChosen(sim::SimSeq{v[0].toLongLong(), v[1].toLongLong()});
    });
}

void BlockTableView::show(const sim::PoolSnapshot& snapshot, std::optional<sim::SimSeq> selected) {
    {
        const QSignalBlocker block(m_combo);
        m_combo->clear();
        for (const sim::SeqTable& t : snapshot.seqs) {
            QPixmap dot(10, 10);
            dot.fill(sequenceColor(t.seq.request));
            m_combo->addItem(QIcon(dot), sequenceName(t.seq),
                             QVariantList{qlonglong(t.seq.request), qlonglong(t.seq.sample)});
        }
        if (snapshot.seqs.empty()) m_combo->addItem(tr("no sequence is running"));
    }
    const sim::SeqTable* table = selected ? snapshot.table(*selected) : nullptr;
    m_table->setRowCount(0);
    if (!table) {
        m_combo->setCurrentIndex(-1);
        m_caption->setText(
            selected ? tr("%1 is not running (waiting or finished).").arg(sequenceName(*selected))
                     : tr("Pick a sequence, or click a block in the grid."));
        return;
    }
    m_combo->setCurrentIndex(int(table - snapshot.seqs.data()));
    m_caption->setText(tr("%1 tokens in %2 blocks; %3 slots reserved")
                           .arg(table->length)
                           .arg(table->blocks.size())
                           .arg(table->reserved));
    m_table->setRowCount(int(table->blocks.size()));
    for (std::size_t k = 0; k < table->blocks.size(); ++k) {
        const int row = int(k);
        const BlockId b = table->blocks[k];
        const sim::PoolCell& c = snapshot.cells[std::size_t(b)];
        m_table->setItem(row, Logical, cell(QString::number(k)));
        m_table->setItem(row, Physical, cell(QString::number(b)));
        m_table->setItem(row, Tokens, cell(QStringLiteral("%1 / %2").arg(c.fill).arg(c.capacity)));
        m_table->setItem(row, Refs, cell(QString::number(c.ref_count)));
        m_table->setItem(row, Cached, cell(c.hash ? tr("yes") : QString(), Qt::AlignHCenter));
    }
}

}  // namespace kvscope

#include "ui/memory/memory_variants_table.h"

#include <QEvent>
#include <QHeaderView>
#include <QLocale>
#include <QStyle>
#include <algorithm>

#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"

namespace kvscope {

namespace {

constexpr int kFitsRole = Qt::UserRole + 1;  // 1 fits, 0 does not (or no estimate)

QString grouped(std::int64_t value) {
    return QLocale(QLocale::English).toString(qlonglong(value));
}

QTableWidgetItem* textItem(const QString& text, const QString& tooltip = {}) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (!tooltip.isEmpty()) item->setToolTip(tooltip);
    return item;
}

QTableWidgetItem* bytesItem(std::int64_t bytes, const QString& what) {
    QTableWidgetItem* item = textItem(
        bytesText(bytes), what + QStringLiteral(": ") + grouped(bytes) + QStringLiteral(" B"));
    item->setData(Qt::UserRole, qlonglong(bytes));
    return item;
}

QTableWidgetItem* countItem(std::int64_t value, const QString& tooltip) {
    QTableWidgetItem* item = textItem(grouped(value), tooltip);
    item->setData(Qt::UserRole, qlonglong(value));
    return item;
}

/// The column heading: the short label, and under it the model's kind ("as-is" / "GQA") or
/// "what-if" for an MLA latent the model does not have. The full label is the tooltip.
QString headerText(const AttentionVariantShape& variant) {
    const QString head = QString::fromStdString(variant.short_label);
    if (variant.as_is) {
        return head + QLatin1Char('\n') +
               QString::fromUtf8(toString(variant.shape.attention).data());
    }
    if (variant.shape.attention == AttentionKind::MLA) return head + QObject::tr("\nwhat-if");
    return head;
}

}  // namespace

MemoryVariantsTable::MemoryVariantsTable(QWidget* parent) : QTableWidget(parent) {
    setRowCount(RowCount);
    const QStringList rows = {tr("Attention"),       tr("KV heads"),        tr("KV per token"),
                              tr("KV per sequence"), tr("KV, whole batch"), tr("Fits the GPU?"),
                              tr("Max context"),     tr("Max batch")};
    const QStringList tips = {
        tr("MHA, GQA, MQA or MLA"),
        tr("Key/value heads of the whole model (MLA: one latent shared by all heads)"),
        tr("KV bytes one token adds over all layers"),
        tr("KV bytes of one sequence at the chosen context (sliding windows counted)"),
        tr("KV bytes of the batch in the chosen layout, over all tensor-parallel GPUs"),
        tr("Weights / TP + KV per GPU within the GPU's usable memory"),
        tr("The longest context (tokens) that fits at the chosen batch"),
        tr("The most sequences that fit at the chosen context")};
    setVerticalHeaderLabels(rows);
    for (int row = 0; row < RowCount; ++row)
        verticalHeaderItem(row)->setToolTip(tips[row]);
    verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);  // the rows fill the panel
    verticalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    horizontalHeader()->setHighlightSections(false);
    verticalHeader()->setHighlightSections(false);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setWordWrap(true);
}

QSize MemoryVariantsTable::sizeHint() const {
    return {std::max(560, contentWidth()), 300};
}

int MemoryVariantsTable::contentWidth() const {
    // Cells are elided, not widened: the view asks for this room. A spanned error message
    // wraps instead, so it does not count.
    const int margin = 2 * (style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, this) + 1);
    int widest_column = 0;
    for (int column = 0; column < columnCount(); ++column) {
        int widest = horizontalHeader()->sectionSizeHint(column);
        for (int row = 0; row < rowCount(); ++row) {
            const QTableWidgetItem* cell = item(row, column);
            if (!cell || rowSpan(row, column) > 1) continue;
            const QFont font = cell->font();
            widest = std::max(widest, QFontMetrics(font).horizontalAdvance(cell->text()) + margin);
        }
        // The grid line takes a pixel of the cell; text layout may round a pixel up.
        constexpr int kSlack = 1;
        widest_column = std::max(widest_column, widest + (showGrid() ? 1 : 0) + kSlack);
    }
    return 2 * frameWidth() + verticalHeader()->sizeHint().width() + columnCount() * widest_column;
}

QString MemoryVariantsTable::variantLabel(int column) const {
    return column >= 0 && column < m_labels.size() ? m_labels[column] : QString();
}

void MemoryVariantsTable::showStudy(const MemoryStudy& study) {
    clearSpans();
    setColumnCount(int(study.variants.size()));
    m_labels.clear();
    for (int column = 0; column < columnCount(); ++column) {
        const VariantStudy& v = study.variants[std::size_t(column)];
        m_labels << QString::fromStdString(v.variant.label);
        auto* header = new QTableWidgetItem(headerText(v.variant));
        header->setToolTip(QString::fromStdString(v.variant.label + ": " + v.variant.note));
        QFont font = this->font();
        font.setBold(v.variant.as_is);
        header->setFont(font);
        setHorizontalHeaderItem(column, header);
        for (int row = 0; row < RowCount; ++row)
            setItem(row, column, textItem(QString()));
        if (!v.ok) {
            QTableWidgetItem* error =
                textItem(QString::fromStdString(v.error), QString::fromStdString(v.error));
            error->setTextAlignment(Qt::AlignLeft | Qt::AlignTop);
            error->setData(kFitsRole, 0);
            setItem(KindRow, column, error);
            setSpan(KindRow, column, RowCount, 1);
            continue;
        }
        const ModelShape& shape = v.variant.shape;
        const MemoryReport& r = v.report;
        setItem(KindRow, column, textItem(QString::fromUtf8(toString(shape.attention).data())));
        if (shape.attention == AttentionKind::MLA) {
            setItem(
                KvHeadsRow, column,
                textItem(tr("latent"), tr("one latent of %1 (kv_lora_rank) + %2 (qk_rope_head_dim) "
                                          "values per token and layer, expanded to %3 heads")
                                           .arg(shape.kv_lora_rank)
                                           .arg(shape.qk_rope_head_dim)
                                           .arg(shape.n_kv_heads)));
        } else {
            setItem(KvHeadsRow, column, countItem(shape.n_kv_heads, tr("KV heads")));
        }
        setItem(PerTokenRow, column, bytesItem(r.kv_bytes_per_token, tr("KV bytes per token")));
        setItem(PerSequenceRow, column,
                bytesItem(r.kv_bytes_per_sequence, tr("KV bytes per sequence")));
        setItem(BatchRow, column, bytesItem(r.kv_bytes_total, tr("KV bytes of the batch")));
        if (r.has_gpu) {
            QTableWidgetItem* fits = textItem(r.fits ? tr("yes") : tr("no"));
            fits->setData(kFitsRole, r.fits ? 1 : 0);
            setItem(FitsRow, column, fits);
            setItem(MaxContextRow, column, countItem(r.max_seq, tr("tokens")));
            setItem(MaxBatchRow, column, countItem(r.max_batch, tr("sequences")));
        } else {
            for (int row : {FitsRow, MaxContextRow, MaxBatchRow})
                setItem(row, column, textItem(QStringLiteral("\u2014"), tr("no GPU chosen")));
        }
    }
    recolour();
}

int MemoryVariantsTable::columnOf(const QString& label) const {
    for (int column = 0; column < m_labels.size(); ++column) {
        if (m_labels[column].startsWith(label)) return column;
    }
    return -1;
}

void MemoryVariantsTable::recolour() {
    for (int column = 0; column < columnCount(); ++column) {
        for (int row : {int(KindRow), int(FitsRow)}) {
            QTableWidgetItem* cell = item(row, column);
            if (!cell || !cell->data(kFitsRole).isValid()) continue;
            cell->setForeground(cell->data(kFitsRole).toInt() == 1 ? goodColor(palette())
                                                                   : errorColor(palette()));
        }
    }
}

void MemoryVariantsTable::changeEvent(QEvent* event) {
    QTableWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) recolour();
}

}  // namespace kvscope

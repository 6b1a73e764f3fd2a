#include "ui/memory/memory_inputs.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <cmath>

#include "core/memory/gpu_presets.h"
#include "core/memory/model_presets.h"
#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"
#include "ui/widgets/count_edit.h"

namespace kvscope {

namespace {

constexpr int kKeyRole = Qt::UserRole;
const QString kPresetPrefix = QStringLiteral("preset:");
const QString kGpuNone = QStringLiteral("none");
const QString kGpuCustom = QStringLiteral("custom");

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

std::int64_t countOf(const CountEdit& edit, MemoryField field) {
    if (const std::optional<std::int64_t> v = edit.value()) return *v;
    const QString text = edit.text().trimmed();
    throw MemoryInputError(
        field, text.isEmpty() ? std::string("empty: give a whole number")
                              : "'" + text.toStdString() +
                                    "' is not a whole number (e.g. 4096, 32,768 or 32k = 32768)");
}

QStandardItem* headerItem(const QString& text) {
    auto* item = new QStandardItem(text);
    item->setFlags(Qt::NoItemFlags);  // a group heading: not selectable
    QFont font = item->font();
    font.setBold(true);
    item->setFont(font);
    return item;
}

}  // namespace

MemoryInputs::MemoryInputs(QWidget* parent) : QWidget(parent) {
    m_models = new QStandardItemModel(this);
    m_model = new QComboBox;
    m_model->setModel(m_models);
    m_model->setMaxVisibleItems(24);
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(14);
    m_open = new QPushButton(tr("Open config.json / GGUF\u2026"));
    m_open->setToolTip(
        tr("Read a Hugging Face config.json, a GGUF file's header or a llama2.c checkpoint's "
           "header (.bin)"));
    m_context = new CountEdit(4096);
    m_batch = new CountEdit(1);
    m_prefix = new CountEdit(0);
    m_context->setToolTip(m_context->toolTip() + tr("\nTokens per sequence (prompt + output)."));
    m_batch->setToolTip(m_batch->toolTip() + tr("\nSequences decoded together."));
    m_prefix->setToolTip(m_prefix->toolTip() +
                         tr("\nTokens every sequence shares (a system prompt), stored once."));
    m_dtype = new QComboBox;
    for (const KvDtypeInfo& info : kvDtypes()) {
        m_dtype->addItem(fromView(info.name), int(info.dtype));
        m_dtype->setItemData(m_dtype->count() - 1, fromView(info.layout), Qt::ToolTipRole);
    }
    selectDtype(KvDtype::F16);
    m_layout = new QComboBox;
    m_layout->addItem(tr("paged blocks"), int(KvLayout::Paged));
    m_layout->setItemData(0, tr("Fixed-size blocks handed out as the sequence grows"),
                          Qt::ToolTipRole);
    m_layout->addItem(tr("contiguous"), int(KvLayout::Contiguous));
    m_layout->setItemData(1, tr("Contiguous: every sequence reserves its whole context up front"),
                          Qt::ToolTipRole);
    m_block = new QSpinBox;
    m_block->setRange(1, 1 << 20);
    m_block->setValue(16);
    m_block->setSuffix(tr(" tokens"));
    m_block->setToolTip(tr("Token slots per paged block (vLLM's default is 16)"));
    m_tp = new QSpinBox;
    m_tp->setRange(1, 1024);
    m_tp->setSuffix(tr(" GPU(s)"));
    m_tp->setToolTip(tr("Tensor-parallel degree: heads and weights split over this many GPUs"));
    m_gpu = new QComboBox;
    m_gpu_gib = new QDoubleSpinBox;
    m_gpu_gib->setRange(0.01, 1.0e6);
    m_gpu_gib->setDecimals(2);
    m_gpu_gib->setValue(80.0);
    m_gpu_gib->setSuffix(tr(" GiB"));
    m_gpu_gib->setToolTip(tr("Memory of one GPU in GiB (2^30 bytes)"));
    fillModels();
    fillGpus();
    // Long entries ("contiguous (reserve the context)") elide rather than widen the view.
    for (QComboBox* combo : {m_dtype, m_layout, m_gpu}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(12);
    }

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Model"), m_model);
    form->addRow(m_open);  // the whole row: the button names both formats
    form->addRow(tr("Context"), m_context);
    form->addRow(tr("Batch"), m_batch);
    form->addRow(tr("Shared prefix"), m_prefix);
    form->addRow(tr("KV dtype"), m_dtype);
    form->addRow(tr("Layout"), m_layout);
    form->addRow(tr("Block size"), m_block);
    form->addRow(tr("Tensor parallel"), m_tp);
    form->addRow(tr("GPU"), m_gpu);
    form->addRow(tr("GPU memory"), m_gpu_gib);

    const auto emitChanged = [this] {
        updateEnabled();
        emit changed();
    };
    connect(m_model, &QComboBox::currentIndexChanged, this, emitChanged);
    for (CountEdit* edit : {m_context, m_batch, m_prefix})
        connect(edit, &QLineEdit::textChanged, this, emitChanged);
    for (QComboBox* combo : {m_dtype, m_layout, m_gpu})
        connect(combo, &QComboBox::currentIndexChanged, this, emitChanged);
    for (QSpinBox* spin : {m_block, m_tp})
        connect(spin, &QSpinBox::valueChanged, this, emitChanged);
    connect(m_gpu_gib, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(m_open, &QPushButton::clicked, this, &MemoryInputs::openFileRequested);
    updateEnabled();
}

void MemoryInputs::fillModels() {
    QString family;
    for (const ModelPreset& p : modelPresets()) {
        if (QString::fromStdString(p.family) != family) {
            family = QString::fromStdString(p.family);
            m_models->appendRow(headerItem(family));
        }
        auto* item = new QStandardItem(
            QStringLiteral("%1  \u00b7  %2")
                .arg(QString::fromStdString(p.preset), fromView(toString(p.shape.attention))));
        item->setData(kPresetPrefix + QString::fromStdString(p.preset), kKeyRole);
        QString tip = QString::fromStdString(p.shape.name) + QStringLiteral(" (") + family +
                      QStringLiteral(")\n") +
                      tr("%1 layers, %2 query heads, %3 KV heads, head_dim %4, context %5")
                          .arg(p.shape.n_layers)
                          .arg(p.shape.n_heads)
                          .arg(p.shape.n_kv_heads)
                          .arg(p.shape.head_dim)
                          .arg(p.shape.max_context);
        if (!p.note.empty()) tip += QStringLiteral("\n") + QString::fromStdString(p.note);
        item->setToolTip(tip);
        m_models->appendRow(item);
    }
    selectPreset(QStringLiteral("llama-2-7b"));
}

void MemoryInputs::fillGpus() {
    // Short names keep the field narrow; the tooltips say the rest (the vendor's own words).
    m_gpu->addItem(tr("none"), kGpuNone);
    m_gpu->setItemData(0, tr("No GPU: nothing is fitted, no limits are drawn"), Qt::ToolTipRole);
    for (const GpuPreset& g : gpuPresets()) {
        m_gpu->addItem(QString::fromStdString(g.name), QString::fromStdString(g.name));
        m_gpu->setItemData(
            m_gpu->count() - 1,
            tr("%1 (%2): %3 bytes = %4; %5")
                .arg(QString::fromStdString(g.name), QString::fromStdString(g.vendor_text),
                     QLocale(QLocale::English).toString(qlonglong(g.bytes)), bytesText(g.bytes),
                     QString::fromStdString(g.source)),
            Qt::ToolTipRole);
    }
    m_gpu->addItem(tr("custom (GiB)"), kGpuCustom);
    m_gpu->setItemData(m_gpu->count() - 1, tr("A GPU of the size given below, in GiB"),
                       Qt::ToolTipRole);
    selectGpu(QStringLiteral("H100-80GB"));
}

void MemoryInputs::updateEnabled() {
    m_block->setEnabled(m_layout->currentData().toInt() == int(KvLayout::Paged));
    m_gpu_gib->setEnabled(m_gpu->currentData().toString() == kGpuCustom);
}

QString MemoryInputs::modelKey() const {
    return m_model->currentData(kKeyRole).toString();
}

bool MemoryInputs::selectPreset(const QString& name) {
    const int index = m_model->findData(kPresetPrefix + name.toLower(), kKeyRole);
    if (index < 0) return false;
    m_model->setCurrentIndex(index);
    return true;
}

void MemoryInputs::setExternalModel(const QString& label, const QString& tooltip) {
    int index = m_model->findData(kExternalKey, kKeyRole);
    if (index < 0) {
        m_models->insertRow(0, headerItem(tr("Loaded")));
        auto* item = new QStandardItem;
        item->setData(kExternalKey, kKeyRole);
        m_models->insertRow(1, item);
        index = 1;
    }
    QStandardItem* item = m_models->item(index);
    item->setText(label);
    item->setToolTip(tooltip);
    if (m_model->currentIndex() == index) {
        emit changed();  // the same entry, a new model
    } else {
        m_model->setCurrentIndex(index);
    }
}

bool MemoryInputs::selectDtype(KvDtype dtype) {
    const int index = m_dtype->findData(int(dtype));
    if (index < 0) return false;
    m_dtype->setCurrentIndex(index);
    return true;
}

bool MemoryInputs::selectGpu(const QString& name) {
    for (int i = 0; i < m_gpu->count(); ++i) {
        if (m_gpu->itemData(i).toString().compare(name, Qt::CaseInsensitive) == 0) {
            m_gpu->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

MemoryScenario MemoryInputs::scenario() const {
    MemoryScenario s;
    s.workload.context = countOf(*m_context, MemoryField::Context);
    s.workload.batch = countOf(*m_batch, MemoryField::Batch);
    s.workload.shared_prefix = countOf(*m_prefix, MemoryField::SharedPrefix);
    s.workload.tp = m_tp->value();
    s.cache.k_dtype = s.cache.v_dtype = KvDtype(m_dtype->currentData().toInt());
    s.cache.layout = KvLayout(m_layout->currentData().toInt());
    s.cache.block_size = m_block->value();
    const QString gpu = m_gpu->currentData().toString();
    if (gpu == kGpuCustom) {
        const double gib = m_gpu_gib->value();
        s.gpu.bytes = std::llround(gib * double(std::int64_t(1) << 30));
        s.gpu.name = "custom GPU";
        s.gpu.origin = QStringLiteral("GPU memory %1 GiB x 2^30 B (user input)")
                           .arg(gib, 0, 'f', 2)
                           .toStdString();
    } else if (gpu != kGpuNone) {
        const GpuPreset& preset = findGpuPreset(gpu.toStdString());
        s.gpu.name = preset.name + " (" + preset.vendor_text + ")";
        s.gpu.bytes = preset.bytes;
        s.gpu.origin = "preset gpus.json: " + std::to_string(preset.memory) + " " + preset.unit +
                       " x " + (preset.unit == "GB" ? "10^9" : "2^30") + " B; " + preset.source;
    }
    return s;
}

QWidget* MemoryInputs::fieldWidget(MemoryField field) const {
    switch (field) {
        case MemoryField::Model:
            return m_model;
        case MemoryField::Context:
            return m_context;
        case MemoryField::Batch:
            return m_batch;
        case MemoryField::SharedPrefix:
            return m_prefix;
        case MemoryField::TensorParallel:
            return m_tp;
        case MemoryField::KvDtype:
            return m_dtype;
        case MemoryField::BlockSize:
            return m_block;
        case MemoryField::Gpu:
            return m_gpu_gib;
        case MemoryField::Workload:
            return nullptr;
    }
    return nullptr;
}

void MemoryInputs::markField(std::optional<MemoryField> field) {
    QWidget* widget = field ? fieldWidget(*field) : nullptr;
    if (m_marked && m_marked != widget) m_marked->setPalette(QPalette());
    m_marked = widget;
    if (!widget) return;
    QPalette tinted = palette();
    for (QPalette::ColorRole role : {QPalette::Base, QPalette::Button}) {
        tinted.setColor(role, mixColors(palette().color(role), errorColor(palette()), 0.22));
    }
    widget->setPalette(tinted);
}

}  // namespace kvscope

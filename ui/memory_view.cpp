#include "ui/memory_view.h"

#include <QChartView>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLocale>
#include <QSplitter>
#include <QVBoxLayout>

#include "core/memory/model_file.h"
#include "core/memory/model_presets.h"
#include "ui/chart_theme.h"
#include "ui/format_bytes.h"
#include "ui/memory_capacity_chart.h"
#include "ui/memory_context_chart.h"
#include "ui/memory_formula_panel.h"
#include "ui/memory_inputs.h"
#include "ui/memory_variants_table.h"
#include "ui/view_parts.h"

namespace kvscope {

namespace {

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString grouped(std::int64_t value) {
    return QLocale(QLocale::English).toString(qlonglong(value));
}

QString cacheText(const CacheSpec& cache) {
    QString text = fromView(toString(cache.k_dtype)) + QLatin1Char(' ');
    if (cache.layout == KvLayout::Paged) {
        return text + QObject::tr("paged (%1-token blocks)").arg(cache.block_size);
    }
    return text + QObject::tr("contiguous");
}

}  // namespace

MemoryView::MemoryView(QWidget* parent) : QWidget(parent) {
    m_inputs = new MemoryInputs;
    m_error = newErrorLine();
    m_formulas = new MemoryFormulaPanel;
    m_variant_chart = new MemoryContextChart;
    m_dtype_chart = new MemoryContextChart;
    m_capacity_chart = new MemoryCapacityChart;
    m_table = new MemoryVariantsTable;
    m_dtype_chart->chart()->legend()->setAlignment(Qt::AlignRight);  // ten names need a column

    auto* left = new QWidget;
    auto* left_layout = new QVBoxLayout(left);
    left_layout->setContentsMargins(0, 0, 0, 0);
    left_layout->addWidget(titledGroup(tr("Scenario"), m_inputs));
    left_layout->addWidget(m_error);
    left_layout->addWidget(titledGroup(tr("Formulas and sources"), m_formulas), 1);
    left->setMinimumWidth(300);
    left->setMaximumWidth(330);

    // Right: the two curve charts above, the GPU bars and the variants table below.
    const auto row = [](QWidget* a, QWidget* b, int stretch_a, int stretch_b) {
        auto* widget = new QWidget;
        auto* layout = new QHBoxLayout(widget);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(6);
        layout->addWidget(a, stretch_a);
        layout->addWidget(b, stretch_b);
        return widget;
    };
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(row(m_variant_chart, m_dtype_chart, 1, 1));
    right->addWidget(
        row(m_capacity_chart, titledGroup(tr("Attention variants side by side"), m_table), 5, 6));
    right->setSizes({3000, 2000});  // proportions: charts above, bars and table below
    right->setChildrenCollapsible(false);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(left);
    layout->addWidget(right, 1);

    connect(m_inputs, &MemoryInputs::changed, this, &MemoryView::recompute);
    connect(m_inputs, &MemoryInputs::openFileRequested, this, &MemoryView::openFile);
    recompute();
}

QList<QChartView*> MemoryView::chartViews() const {
    return {m_variant_chart, m_dtype_chart, m_capacity_chart};
}

QString MemoryView::errorText() const {
    return m_error->isVisibleTo(const_cast<MemoryView*>(this)) ? m_error->text() : QString();
}

bool MemoryView::selectPreset(const QString& name) {
    return m_inputs->selectPreset(name);
}

bool MemoryView::loadModelFile(const QString& path) {
    try {
        const ModelFileShape file = readModelFileShape(path.toStdString());
        setModelShape(file.shape, file.layout,
                      QFileInfo(path).fileName() + QStringLiteral("  \u00b7  ") +
                          fromView(toString(file.shape.attention)));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Model file: %1").arg(QString::fromStdString(e.what())), MemoryField::Model);
        return false;
    }
}

void MemoryView::openFile() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a model"), QString(),
        tr("Model configs (*.json *.gguf);;Hugging Face config (*.json);;GGUF (*.gguf);;"
           "All files (*)"));
    if (!path.isEmpty()) loadModelFile(path);
}

void MemoryView::setModelShape(const ModelShape& shape, const WeightLayout& layout,
                               const QString& label) {
    m_external = shape;
    m_external_weights = WeightSpec{};
    m_external_weights.layout = layout;
    m_external_label = label;
    m_inputs->setExternalModel(label, QString::fromStdString(shape.name + "\n" + shape.source));
    recompute();
}

void MemoryView::setModelConfig(const ModelConfig& config, const QString& origin) {
    try {
        const ModelShape shape = shapeFromModelConfig(config, origin.toStdString());
        setModelShape(
            shape, {config.tied_output, 3, "tied output and SwiGLU from " + origin.toStdString()},
            QString::fromStdString(config.name) + QStringLiteral("  \u00b7  ") +
                fromView(toString(shape.attention)));
    } catch (const std::exception& e) {
        showError(tr("Model: %1").arg(QString::fromStdString(e.what())), MemoryField::Model);
    }
}

void MemoryView::chooseModel(MemoryScenario& s) const {
    const QString key = m_inputs->modelKey();
    if (key == MemoryInputs::kExternalKey && m_external) {
        s.shape = *m_external;
        s.weights = m_external_weights;
        return;
    }
    const ModelPreset& p = findModelPreset(key.section(QLatin1Char(':'), 1).toStdString());
    s.shape = p.shape;
    s.weights.layout = p.layout;
    if (p.published_parameters > 0) {
        s.weights.parameters = p.published_parameters;
        s.weights.parameters_origin = "published: " + p.parameters_source;
    }
}

void MemoryView::recompute() {
    try {
        MemoryScenario s = m_inputs->scenario();
        chooseModel(s);
        MemoryStudy study = studyMemory(s);
        m_scenario = std::move(s);
        m_study = std::move(study);
        showError(QString(), std::nullopt);
        render();
        emit studyChanged();
    } catch (const MemoryInputError& e) {
        showError(QString::fromStdString(e.what()), e.field());
    } catch (const std::exception& e) {
        showError(tr("Model: %1").arg(QString::fromStdString(e.what())), MemoryField::Model);
    }
}

void MemoryView::showError(const QString& message, std::optional<MemoryField> field) {
    m_inputs->markField(field);
    if (message.isEmpty()) {
        m_error->clear();
        m_error->setVisible(false);
        return;
    }
    QPalette red = palette();
    red.setColor(QPalette::WindowText, errorColor(palette()));
    m_error->setPalette(red);
    m_error->setText(message + (m_study
                                    ? tr("\nThe charts and table still show the last valid input.")
                                    : QString()));
    m_error->setVisible(true);
}

void MemoryView::render() {
    const MemoryStudy& study = *m_study;
    const MemoryScenario& s = m_scenario;
    const QString model = QString::fromStdString(s.shape.name);

    std::vector<ContextCurve> variants;
    std::vector<CapacityBar> bars;
    for (std::size_t i = 0; i < study.variants.size(); ++i) {
        const VariantStudy& v = study.variants[i];
        const QString label = QString::fromStdString(v.variant.label);
        bars.push_back({QString::fromStdString(v.variant.short_label), label,
                        v.ok ? perGpuSegments(v.report) : std::vector<MemorySegment>{}});
        if (!v.ok) continue;
        variants.push_back(
            {label, QString::fromStdString(v.variant.note), v.curve, v.variant.as_is, int(i)});
    }
    m_variant_chart->setCurves(
        tr("KV per sequence: attention variants, %1").arg(fromView(toString(s.cache.k_dtype))),
        std::move(variants), study.context_max, s.workload.context);

    std::vector<ContextCurve> dtypes;
    for (std::size_t i = 0; i < study.dtypes.size(); ++i) {
        const DtypeCurve& d = study.dtypes[i];
        const KvDtypeInfo& info = kvDtypeInfo(d.dtype);
        dtypes.push_back({fromView(info.name), fromView(info.layout), d.curve,
                          d.dtype == s.cache.k_dtype, int(i)});
    }
    m_dtype_chart->setCurves(
        tr("KV per sequence: KV dtypes, %1 attention").arg(fromView(toString(s.shape.attention))),
        std::move(dtypes), study.context_max, s.workload.context);

    const MemoryReport& r = study.report;
    const QString gpu = QString::fromStdString(s.gpu.name).section(QStringLiteral(" ("), 0, 0);
    const QString title = r.has_gpu
                              ? tr("One %1 (%2): batch %3, TP %4")
                                    .arg(gpu, formatBytes(r.gpu_bytes), grouped(s.workload.batch))
                                    .arg(s.workload.tp)
                              : tr("No GPU chosen: batch %1, TP %2")
                                    .arg(grouped(s.workload.batch))
                                    .arg(s.workload.tp);
    m_capacity_chart->setBars(title, bars, r.gpu_bytes, r.usable_bytes);
    m_table->showStudy(study);
    m_formulas->showReport(r, tr("%1 \u00b7 context %2 \u00b7 batch %3 \u00b7 %4 \u00b7 TP %5")
                                  .arg(model, grouped(s.workload.context),
                                       grouped(s.workload.batch), cacheText(s.cache))
                                  .arg(s.workload.tp));
}

}  // namespace kvscope

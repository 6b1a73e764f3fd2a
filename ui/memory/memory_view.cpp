#include "ui/memory/memory_view.h"

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
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "core/memory/model_file.h"
#include "core/memory/model_presets.h"
#include "ui/memory/memory_capacity_chart.h"
#include "ui/memory/memory_context_chart.h"
#include "ui/memory/memory_formula_panel.h"
#include "ui/memory/memory_inputs.h"
#include "ui/memory/memory_serving_panel.h"
#include "ui/memory/memory_variants_table.h"
#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"
#include "ui/widgets/view_parts.h"

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
    // The serving engine's verdict stays in sight; its figures share a tab with the formulas.
    m_serving = new MemoryServingPanel;
    m_verdict = new QLabel;
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail_tabs = new QTabWidget;
    m_detail_tabs->setDocumentMode(true);
    m_detail_tabs->addTab(m_formulas, tr("Formulas"));
    m_detail_tabs->addTab(m_serving, tr("vLLM serving"));
    left_layout->addWidget(m_verdict);
    left_layout->addWidget(m_detail_tabs, 1);
    left->setMinimumWidth(300);
    left->setMaximumWidth(330);
    m_left = left;

    // Right: the two curve charts above, the GPU bars and the variants table below (arrange()).
    const auto row = [](QHBoxLayout*& layout) {
        auto* widget = new QWidget;
        layout = new QHBoxLayout(widget);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(6);
        return widget;
    };
    m_table_box = titledGroup(tr("Attention variants side by side"), m_table);
    m_curve_tabs = new QTabWidget;
    m_curve_tabs->setDocumentMode(true);
    m_curve_tabs->hide();
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(row(m_top_row));
    right->addWidget(row(m_bottom_row));
    right->setSizes({3000, 2000});  // proportions: charts above, bars and table below
    right->setChildrenCollapsible(false);
    m_top_row->addWidget(m_variant_chart, 1);
    m_top_row->addWidget(m_dtype_chart, 1);
    m_bottom_row->addWidget(m_capacity_chart, 5);
    m_bottom_row->addWidget(m_table_box, 6);

    auto* layout = new QHBoxLayout(this);
    layout->setSizeConstraint(QLayout::SetNoConstraint);  // minimumSizeHint() says the minimum
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(left);
    layout->addWidget(right, 1);

    connect(m_inputs, &MemoryInputs::changed, this, &MemoryView::recompute);
    connect(m_inputs, &MemoryInputs::openFileRequested, this, &MemoryView::openFile);
    recompute();
}

int MemoryView::arrangementWidth(bool compact) const {
    // The form, then the charts and the table: 2 x 2 when wide, the table's numbers in full;
    // when compact the charts as tabs (as wide as one chart) above the table, which then has
    // the whole width.
    const QMargins margins = layout()->contentsMargins();
    const int outer = margins.left() + margins.right() + layout()->spacing();
    const int left = std::clamp(m_left->minimumSizeHint().width(), m_left->minimumWidth(),
                                m_left->maximumWidth());
    const int chart = m_capacity_chart->minimumWidth();
    constexpr int kGap = 6;  // between the charts and the table in a row
    const int table_frame = m_table_box->sizeHint().width() - m_table->sizeHint().width();
    const int table = m_table->contentWidth() + table_frame;
    if (compact) return outer + left + std::max(chart, table);
    return outer + left + std::max(2 * chart + kGap, chart + kGap + table);
}

QSize MemoryView::minimumSizeHint() const {
    // Asked of the tab widget, which is as wide as its widest page's minimum whichever page is
    // up: no more than fits beside the Generate view's docks (340 px of a 1280 px window), so
    // that this view never widens the window. Narrower than the wide arrangement needs, the view
    // turns compact (resizeEvent); the room it gets when it is up (no docks, or a lesson's dock)
    // fits the compact arrangement.
    constexpr int kBesideTheDocks = 900;
    return {std::min(arrangementWidth(true), kBesideTheDocks), layout()->minimumSize().height()};
}

void MemoryView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    m_sized = true;
    fitArrangement(true);
}

void MemoryView::fitArrangement(bool decide) {
    if (decide) {
        const bool compact = width() < arrangementWidth(false);
        if (compact != m_compact) arrange(compact);
    }
    // The table keeps the room for its numbers in either arrangement (so switching tabs, which
    // resizes the view, changes no minimum).
    m_table->setMinimumWidth(m_table->contentWidth());
}

bool MemoryView::showChart(const QString& name) {
    const QStringList names = {QStringLiteral("variants"), QStringLiteral("dtypes"),
                               QStringLiteral("capacity")};
    const int index = int(names.indexOf(name));
    if (index < 0) return false;
    m_front_chart = index;
    if (m_compact) m_curve_tabs->setCurrentIndex(index);
    return true;
}

void MemoryView::arrange(bool compact) {
    m_compact = compact;
    if (compact) {
        m_top_row->removeWidget(m_variant_chart);
        m_top_row->removeWidget(m_dtype_chart);
        m_bottom_row->removeWidget(m_capacity_chart);
        m_curve_tabs->addTab(m_variant_chart, tr("KV by attention variant"));
        m_curve_tabs->addTab(m_dtype_chart, tr("KV by dtype"));
        m_curve_tabs->addTab(m_capacity_chart, tr("GPU fit"));
        m_curve_tabs->setCurrentIndex(m_front_chart);
        m_top_row->addWidget(m_curve_tabs, 1);
        m_curve_tabs->show();
    } else {
        m_curve_tabs->hide();
        m_curve_tabs->clear();  // takes the pages out, does not delete them
        m_top_row->removeWidget(m_curve_tabs);
        m_top_row->addWidget(m_variant_chart, 1);
        m_top_row->addWidget(m_dtype_chart, 1);
        m_bottom_row->insertWidget(0, m_capacity_chart, 5);
        for (QWidget* chart :
             {static_cast<QWidget*>(m_variant_chart), static_cast<QWidget*>(m_dtype_chart),
              static_cast<QWidget*>(m_capacity_chart)})
            chart->show();
    }
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
        tr("Model configs (*.json *.gguf *.bin);;Hugging Face config (*.json);;GGUF (*.gguf);;"
           "llama2.c checkpoint (*.bin);;All files (*)"));
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
                              ? tr("%1 (%2): batch %3, TP %4")
                                    .arg(gpu, bytesText(r.gpu_bytes), grouped(s.workload.batch))
                                    .arg(s.workload.tp)
                              : tr("No GPU chosen: batch %1, TP %2")
                                    .arg(grouped(s.workload.batch))
                                    .arg(s.workload.tp);
    m_capacity_chart->setBars(title, bars, r.gpu_bytes, r.usable_bytes);
    m_table->showStudy(study);
    // The numbers may need another width now; before the view was first sized (it is built at
    // a default size) only the table's minimum follows.
    fitArrangement(m_sized);
    m_serving->showServing(study.serving, QString::fromStdString(study.serving_error));
    const QString verdict =
        MemoryServingPanel::verdict(study.serving, QString::fromStdString(study.serving_error));
    QPalette verdict_palette = palette();
    if (study.serving && !study.serving->fits) {
        verdict_palette.setColor(QPalette::WindowText, errorColor(palette()));
    }
    m_verdict->setPalette(verdict_palette);
    m_verdict->setText(QStringLiteral("<b>%1</b>").arg(verdict.toHtmlEscaped()));
    m_formulas->showReport(r, tr("%1 \u00b7 context %2 \u00b7 batch %3 \u00b7 %4 \u00b7 TP %5")
                                  .arg(model, grouped(s.workload.context),
                                       grouped(s.workload.batch), cacheText(s.cache))
                                  .arg(s.workload.tp));
}

}  // namespace kvscope

#include "ui/paging/paging_view.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QVBoxLayout>

#include "ui/paging/block_grid_legend.h"
#include "ui/paging/block_grid_widget.h"
#include "ui/paging/block_table_view.h"
#include "ui/paging/paging_chart.h"
#include "ui/paging/paging_inputs.h"
#include "ui/paging/paging_study_runner.h"
#include "ui/paging/paging_transport.h"
#include "ui/style/chart_style.h"
#include "ui/widgets/flow_layout.h"
#include "ui/widgets/view_parts.h"

namespace kvscope {

namespace {

using sim::PolicyKind;

QString grouped(std::int64_t value) {
    return QLocale(QLocale::English).toString(qlonglong(value));
}

/// Everything but the policy on the grid: a change here needs a new study.
bool sameStudy(const sim::PagingScenario& a, const sim::PagingScenario& b) {
    return a.preset == b.preset && a.n_requests == b.n_requests && a.seed == b.seed &&
           a.system_prompt == b.system_prompt && a.shared_fraction == b.shared_fraction &&
           a.block_size == b.block_size && a.budget_blocks == b.budget_blocks;
}

int policyIndex(PolicyKind policy) {
    for (std::size_t i = 0; i < std::size(sim::kPagingPolicies); ++i)
        if (sim::kPagingPolicies[i] == policy) return int(i);
    return 0;
}

QColor policyColor(PolicyKind policy) {
    return categoryColor(policyIndex(policy));
}

}  // namespace

PagingView::PagingView(QWidget* parent) : QWidget(parent) {
    m_inputs = new PagingInputs;
    m_error = newErrorLine();
    m_table = new BlockTableView;
    m_transport = new PagingTransport;
    m_status = new QLabel;
    m_status->setWordWrap(true);  // presenter mode's larger fonts wrap instead of widening
    m_legend = new BlockGridLegend;
    m_grid = new BlockGridWidget;
    m_summary = new QLabel;
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    // The table's rows do not wrap (one line per policy); it must not widen the window either:
    // at the narrowest the right-hand columns are cut, never the rows.
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_summary->setToolTip(
        tr("Over the whole run of each policy on the same workload and KV budget: KV "
           "utilization = token slots holding a token / slots reserved (summed over steps); "
           "the most sequences running at once; preemptions by recompute; output tokens per "
           "simulated step"));
    m_util_chart = new PagingChart(PagingChart::Kind::Utilization);
    m_running_chart = new PagingChart(PagingChart::Kind::Running);
    m_waste_chart = new PagingChart(PagingChart::Kind::Waste);
    m_runner = new PagingStudyRunner(this);

    auto* left = new QWidget;
    auto* left_layout = new QVBoxLayout(left);
    left_layout->setContentsMargins(0, 0, 0, 0);
    left_layout->addWidget(titledGroup(tr("Workload and KV budget"), m_inputs));
    left_layout->addWidget(m_error);
    left_layout->addWidget(titledGroup(tr("Block table"), m_table), 1);
    left->setMinimumWidth(330);
    left->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Preferred);

    auto* top = new QWidget;
    auto* top_layout = new QVBoxLayout(top);
    top_layout->setContentsMargins(0, 0, 0, 0);
    top_layout->setSpacing(4);
    // The grid's policy and the transport: one line, wrapping in two on a narrow view.
    auto* grid_pick = new QWidget;
    auto* grid_pick_layout = new QHBoxLayout(grid_pick);
    grid_pick_layout->setContentsMargins(0, 0, 0, 0);
    grid_pick_layout->addWidget(new QLabel(tr("Grid:")));
    grid_pick_layout->addWidget(m_inputs->policyCombo());
    auto* transport_row = new QWidget;
    auto* transport_layout = new FlowLayout(transport_row, 18, 4);
    transport_layout->addWidget(grid_pick);
    transport_layout->addWidget(m_transport);
    top_layout->addWidget(transport_row);
    top_layout->addWidget(m_status);
    top_layout->addWidget(m_legend);
    top_layout->addWidget(m_grid, 1);
    top_layout->addWidget(m_summary);

    auto* charts = new QWidget;
    auto* charts_layout = new QHBoxLayout(charts);
    charts_layout->setContentsMargins(0, 0, 0, 0);
    charts_layout->setSpacing(6);
    for (PagingChart* chart : {m_util_chart, m_running_chart, m_waste_chart})
        charts_layout->addWidget(chart, 1);

    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(top);
    right->addWidget(charts);
    right->setSizes({3000, 1900});
    right->setChildrenCollapsible(false);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(left);
    layout->addWidget(right, 1);

    connect(m_inputs, &PagingInputs::changed, this, &PagingView::recompute);
    connect(m_runner, &PagingStudyRunner::finished, this, &PagingView::showStudy);
    connect(m_runner, &PagingStudyRunner::failed, this,
            [this](const QString& message) { showError(message, std::nullopt); });
    connect(m_runner, &PagingStudyRunner::progress, this, [this](double f) {
        m_status->setText(tr("Simulating every policy\u2026 %1%").arg(int(f * 100)));
    });
    connect(m_transport, &PagingTransport::stepRequested, this, &PagingView::stepBy);
    connect(m_transport, &PagingTransport::resetRequested, this, &PagingView::resetSimulation);
    connect(m_grid, &BlockGridWidget::sequenceClicked, this, &PagingView::selectSequence);
    connect(m_table, &BlockTableView::sequenceChosen, this, &PagingView::selectSequence);
    recompute();
}

PagingView::~PagingView() = default;

bool PagingView::busy() const {
    return m_runner->busy();
}

bool PagingView::waitUntilIdle(int timeout_ms) {
    QElapsedTimer clock;
    clock.start();
    while (busy() && clock.elapsed() < timeout_ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return !busy();
}

QString PagingView::errorText() const {
    return m_error->isVisibleTo(const_cast<PagingView*>(this)) ? m_error->text() : QString();
}

void PagingView::recompute() {
    const sim::PagingScenario scenario = m_inputs->scenario();
    try {
        sim::checkPagingScenario(scenario);
    } catch (const sim::PagingInputError& e) {
        showError(QString::fromStdString(e.what()), e.field());
        return;
    }
    showError(QString(), std::nullopt);
    if (m_study && sameStudy(m_study->scenario, scenario) && !m_runner->busy()) {
        m_shown_scenario = scenario;
        rebuildSimulation(m_sim ? m_sim->stepsRun() : kStartStep);
        renderCharts();  // the shown policy's line is emphasized
        renderSummary();
        return;
    }
    m_transport->setPlaying(false);
    m_status->setText(tr("Simulating every policy\u2026"));
    m_runner->start(scenario);
}

void PagingView::showError(const QString& message, std::optional<sim::PagingField> field) {
    m_inputs->markField(field);
    if (message.isEmpty()) {
        m_error->clear();
        m_error->setVisible(false);
        return;
    }
    m_transport->setPlaying(false);
    QPalette red = palette();
    red.setColor(QPalette::WindowText, errorColor(palette()));
    m_error->setPalette(red);
    m_error->setText(message + (m_study ? tr("\nThe grid and charts still show the last valid "
                                             "input.")
                                        : QString()));
    m_error->setVisible(true);
}

void PagingView::showStudy(std::shared_ptr<const sim::PagingStudy> study) {
    const std::int64_t steps = m_first_study || !m_sim ? kStartStep : m_sim->stepsRun();
    m_first_study = false;
    m_study = std::move(study);
    m_shown_scenario = m_inputs->scenario();
    if (!sameStudy(m_study->scenario, m_shown_scenario)) m_shown_scenario = m_study->scenario;
    rebuildSimulation(steps);
    renderCharts();
    renderSummary();
    emit studyShown();
}

void PagingView::renderCharts() {
    if (!m_study) return;
    double last_step = 1;
    for (const sim::PolicyRun& run : m_study->runs)
        if (run.error.empty()) last_step = std::max(last_step, double(run.result.steps));
    const auto curves = [&](const sim::Series sim::TimelineSeries::*member) {
        std::vector<PolicyCurve> out;
        for (const sim::PolicyRun& run : m_study->runs) {
            if (!run.error.empty()) continue;
            out.push_back({pagingPolicyLabel(run.policy, m_study->scenario.block_size),
                           policyColor(run.policy), run.series.*member,
                           run.policy == m_shown_scenario.shown});
        }
        return out;
    };
    m_util_chart->setCurves(curves(&sim::TimelineSeries::utilization), last_step);
    m_running_chart->setCurves(curves(&sim::TimelineSeries::running), last_step);
    m_waste_chart->setCurves(curves(&sim::TimelineSeries::waste), last_step);
    const double cursor = m_sim ? double(m_sim->snapshot().step) : -1.0;
    for (PagingChart* chart : {m_util_chart, m_running_chart, m_waste_chart})
        chart->setCursorStep(cursor);
}

void PagingView::renderSummary() {
    if (!m_study) return;
    // One row per policy under one header, numbers only in the cells: a row stays one line
    // even beside the lesson dock.
    QString html = QStringLiteral(
                       "<table cellspacing='0' cellpadding='1'><tr><th></th>"
                       "<th align='left'>%1&nbsp;</th><th align='right'>&nbsp;%2</th>"
                       "<th align='right'>&nbsp;%3</th><th align='right'>&nbsp;%4</th>"
                       "<th align='right'>&nbsp;%5</th></tr>")
                       .arg(tr("policy"), tr("utilization"), tr("max running"), tr("preempted"),
                            tr("tokens/step"));
    for (const sim::PolicyRun& run : m_study->runs) {
        const bool shown = run.policy == m_shown_scenario.shown;
        const QString name = pagingPolicyLabel(run.policy, m_study->scenario.block_size, true);
        html += QStringLiteral("<tr><td><span style='color:%1'>\u25a0</span>&nbsp;</td>")
                    .arg(policyColor(run.policy).name());
        html += QStringLiteral("<td style='white-space:pre'>%1%2&nbsp;</td>")
                    .arg(shown ? QStringLiteral("<b>%1</b>").arg(name.toHtmlEscaped())
                               : name.toHtmlEscaped(),
                         shown ? tr(" (grid)") : QString());
        if (!run.error.empty()) {
            html += QStringLiteral("<td colspan='4' style='color:%1'>%2</td></tr>")
                        .arg(errorColor(palette()).name(),
                             tr("cannot run: %1")
                                 .arg(QString::fromStdString(run.error).toHtmlEscaped()));
            continue;
        }
        const sim::SimResult& r = run.result;
        html += QStringLiteral(
                    "<td align='right'><b>%1%</b></td><td align='right'><b>%2</b></td>"
                    "<td align='right'>%3</td><td align='right'>%4</td></tr>")
                    .arg(QString::number(r.kv_utilization * 100.0, 'f', 1))
                    .arg(r.max_running_seqs)
                    .arg(grouped(r.preemptions))
                    .arg(QString::number(r.throughput, 'f', 1));
    }
    html += QStringLiteral("</table>");
    m_summary->setText(html);
}

void PagingView::rebuildSimulation(std::int64_t steps) {
    m_sim.reset();
    const sim::PolicyRun& run = m_study->run(m_shown_scenario.shown);
    if (!run.error.empty()) {
        m_grid->setMessage(tr("%1 cannot run this workload:\n%2")
                               .arg(pagingPolicyLabel(run.policy, m_study->scenario.block_size),
                                    QString::fromStdString(run.error)));
        m_table->show(sim::PoolSnapshot{}, std::nullopt);
        m_status->setText(QString());
        m_transport->setAtEnd(true);
        return;
    }
    m_sim = std::make_unique<sim::ServingSimulation>(
        m_study->requests, sim::pagingSimConfig(m_study->scenario, run.policy));
    while (m_sim->stepsRun() < steps && !m_sim->done())
        m_sim->advance();
    refreshGrid();
}

void PagingView::stepBy(int n) {
    if (!m_sim) return;
    for (int i = 0; i < n && !m_sim->done(); ++i)
        m_sim->advance();
    refreshGrid();
}

void PagingView::resetSimulation() {
    if (!m_study) return;
    m_transport->setPlaying(false);
    rebuildSimulation(0);
}

void PagingView::selectSequence(const sim::SimSeq& seq) {
    m_selected = seq;
    m_auto_selected = false;
    refreshGrid();
}

void PagingView::refreshGrid() {
    if (!m_sim) return;
    const sim::PoolSnapshot snapshot = m_sim->snapshot();
    const bool running = m_selected && snapshot.table(*m_selected);
    if ((!m_selected || (m_auto_selected && !running)) && !snapshot.seqs.empty()) {
        m_selected = snapshot.seqs.front().seq;
        m_auto_selected = true;
    }
    m_grid->setSnapshot(snapshot);
    m_grid->setSelected(m_selected);
    m_table->show(snapshot, m_selected);
    m_transport->setAtEnd(m_sim->done());
    const std::int64_t total = m_study->run(m_shown_scenario.shown).result.steps;
    m_status->setText(
        tr("Step %1 of %2 \u00b7 %3 running \u00b7 %4 waiting \u00b7 %5 of %6 finished \u00b7 "
           "%7 of %8 reserved slots hold a token")
            .arg(grouped(m_sim->stepsRun()), grouped(total),
                 grouped(std::int64_t(snapshot.seqs.size())), grouped(snapshot.waiting),
                 grouped(snapshot.completed), grouped(std::int64_t(m_study->requests.size())),
                 grouped(snapshot.held), grouped(snapshot.reserved)));
    for (PagingChart* chart : {m_util_chart, m_running_chart, m_waste_chart})
        chart->setCursorStep(double(snapshot.step));
}

}  // namespace kvscope

#include "ui/window/left_docks.h"

#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>
#include <QScrollArea>
#include <vector>

#include "ui/engine/trace_model.h"
#include "ui/generate/top_k_view.h"
#include "ui/window/model_summary.h"
#include "ui/window/scenario_panel.h"

namespace kvscope {
namespace {

QDockWidget* dock(const QString& title, const QString& name, QWidget* content) {
    auto* widget = new QDockWidget(title);
    widget->setObjectName(name);  // saveState() needs it
    widget->setWidget(content);
    widget->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                        QDockWidget::DockWidgetClosable);
    return widget;
}

}  // namespace

LeftDocks::LeftDocks(QMainWindow* window, TraceModel* trace, ScenarioPanel* scenario_panel)
    : QObject(window), m_trace(trace) {
    auto* scenario_scroll = new QScrollArea;
    scenario_scroll->setWidget(scenario_panel);
    scenario_scroll->setWidgetResizable(true);
    scenario_scroll->setFrameShape(QFrame::NoFrame);
    scenario_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    QDockWidget* scenario = dock(tr("Scenario"), QStringLiteral("scenario_dock"), scenario_scroll);

    m_model_facts = new QLabel;
    m_model_facts->setTextFormat(Qt::RichText);
    m_model_facts->setWordWrap(true);
    m_model_facts->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_model_facts->setMargin(8);
    QDockWidget* model = dock(tr("Model"), QStringLiteral("model_dock"), m_model_facts);

    m_top_k = new TopKView;
    QDockWidget* next = dock(tr("Next token: most probable"), QStringLiteral("next_dock"), m_top_k);

    // Left, top to bottom: what the model will say next, then what to run (the scenario, with
    // the model's shape behind a tab). The views get the rest of the width.
    window->addDockWidget(Qt::LeftDockWidgetArea, next);
    window->addDockWidget(Qt::LeftDockWidgetArea, scenario);
    window->tabifyDockWidget(scenario, model);
    scenario->raise();
    m_docks = {next, scenario, model};
    for (QDockWidget* widget : m_docks)
        widget->widget()->setMinimumWidth(340);

    connect(m_trace, &TraceModel::recordsChanged, this, &LeftDocks::refresh);
    connect(m_trace, &TraceModel::cursorChanged, this, &LeftDocks::refresh);
    refresh();
}

void LeftDocks::setShown(bool shown) {
    for (QDockWidget* widget : m_docks)
        widget->setVisible(shown);
    if (shown) m_docks[1]->raise();  // the scenario, in front of the model
}

void LeftDocks::refresh() {
    std::vector<Candidate> candidates;
    if (const StepRecord* current = m_trace->current()) {
        for (const TokenProb& option : current->top_k) {
            candidates.push_back(
                {m_trace->label(option.id), double(option.prob), option.id == current->next_token});
        }
    }
    m_top_k->setCandidates(std::move(candidates));
    if (m_trace->config().n_layers > 0)
        m_model_facts->setText(modelSummaryHtml(m_trace->config(), m_trace->maxContext(),
                                                m_trace->trace().model_info.rope_freqs));
}

}  // namespace kvscope

// ScenarioFile <-> the window (see scenario_io.h).
#include "ui/window/scenario_io.h"

#include <QCheckBox>
#include <QComboBox>
#include <limits>

#include "core/trace/scenario_options.h"
#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/generate_view.h"
#include "ui/window/main_window.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/view_settings.h"
#include "ui/window/view_tabs.h"

namespace kvscope {

namespace {

const QString kChainName = QStringLiteral("kvscope_scenario_chain");

/// Runs one stage after the runner finished the previous one without failing; gives up (and
/// deletes itself) on the first failure.
class ScenarioChain : public QObject {
public:
    ScenarioChain(MainWindow& window, ScenarioFile file)
        : QObject(&window), m_window(window), m_file(std::move(file)) {
        setObjectName(kChainName);
        SessionRunner* runner = window.runner();
        connect(runner, &SessionRunner::succeeded, this, &ScenarioChain::next);
        connect(runner, &SessionRunner::failed, this, &QObject::deleteLater);
    }

private:
    void next() {
        SessionRunner* runner = m_window.runner();
        if (m_stage++ == 0) {
            runner->prefill(QString::fromStdString(m_file.scenario.prompt));
            runner->runToEnd(int(m_file.steps));
            if (runner->isBusy()) return;
        }
        disconnect(runner, nullptr, this, nullptr);
        const QString error = applyViewSettings(*m_window.views(), m_file);
        if (!error.isEmpty()) emit runner->failed(error);
        deleteLater();
    }

    MainWindow& m_window;
    ScenarioFile m_file;
    int m_stage = 0;
};

}  // namespace

ScenarioFile scenarioFromWindow(const MainWindow& window) {
    const ScenarioPanel* panel = window.scenarioPanel();
    const SessionOptions options = panel->sessionOptions();
    ScenarioFile file;
    Scenario& scenario = file.scenario;
    scenario.model = panel->modelReference().toStdString();
    scenario.prompt = panel->prompt().toStdString();
    scenario.max_new_tokens = panel->maxNewTokens();
    setSessionOptions(scenario, options);
    scenario.eviction_budget_bytes = panel->evictionBudgetBytes();
    file.steps = std::max(0, window.trace()->cursor() - 1);  // decode steps after the prefill
    file.backend = panel->backendBox()->currentData().toString().toStdString();  // cpu or cuda
    file.activations =
        panel->activationsBox()->currentData().toString().toStdString();  // q8, float
    const QWidget* tab = window.views()->currentWidget();
    file.view = tab ? tab->objectName().toStdString() : "generate";
    const GenerateView* generate = window.views()->generate();
    file.view_settings["layer"] = std::int64_t(generate->layer());
    file.view_settings["head"] = std::int64_t(generate->head());
    file.view_settings["all_heads"] = generate->allHeadsBox()->isChecked();
    file.view_settings["log_scale"] = generate->logScaleBox()->isChecked();
    return file;
}

QString applyScenario(MainWindow& window, const ScenarioFile& file) {
    const Scenario& scenario = file.scenario;
    if (scenario.sampling.seed > std::uint64_t(std::numeric_limits<int>::max()))
        return QObject::tr(
                   "scenario: seed %1 is larger than the window's seed field takes "
                   "(2147483647)")
            .arg(qulonglong(scenario.sampling.seed));
    if (scenario.prompt.empty())
        return QObject::tr("scenario: the prompt is empty; there is nothing to prefill");
    const SessionOptions options = sessionOptionsOf(scenario);
    ScenarioPanel* panel = window.scenarioPanel();
    panel->setSessionOptions(options);
    panel->setEviction(scenario.eviction, scenario.eviction_budget_bytes);
    panel->setPrompt(QString::fromStdString(scenario.prompt));
    panel->setMaxNewTokens(int(std::min<std::int64_t>(scenario.max_new_tokens, 100000)));
    // At once (a bad setting stops here, before any engine work), and again after the steps.
    if (const QString error =
            applyViewSettings(*window.views(), file, ViewSettingsStage::Immediate);
        !error.isEmpty())
        return error;
    // A scenario opened while another is still running replaces it.
    for (QObject* old : window.findChildren<QObject*>(kChainName, Qt::FindDirectChildrenOnly)) {
        QObject::disconnect(window.runner(), nullptr, old, nullptr);
        old->deleteLater();
    }
    if (const QString error = panel->settingsError(); !error.isEmpty())
        return QObject::tr("scenario: bounded cache: %1").arg(error);
    new ScenarioChain(window, file);
    window.runner()->load(QString::fromStdString(scenario.model), panel->sessionOptions());
    return {};
}

}  // namespace kvscope

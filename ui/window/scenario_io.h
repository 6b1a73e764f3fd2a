#pragma once
// Scenario files in the window: what is on screen as a ScenarioFile (File > Save Scenario), and a
// ScenarioFile applied to the window (File > Open, drag and drop, recent files, `kvscope
// FILE.kvscope.json`): the scenario panel is filled in, the model loaded, the prompt prefilled,
// `steps` decode steps run, then the view settings applied. The engine work is chained on the
// worker thread (each stage starts when the previous one succeeded); MainWindow::waitUntilIdle()
// returns once the whole chain is done.
#include <QString>

#include "core/trace/scenario_file.h"

namespace kvscope {

class MainWindow;

/// The scenario on screen: the panel's model, prompt and settings, the decode steps recorded,
/// the view shown and the Generate view's layer, head, all heads and log scale.
ScenarioFile scenarioFromWindow(const MainWindow& window);

/// Fills in the panel and starts the chain described above. Returns "" or why the scenario cannot
/// be applied (nothing is started then); engine failures show in the window (lastError()).
QString applyScenario(MainWindow& window, const ScenarioFile& file);

}  // namespace kvscope

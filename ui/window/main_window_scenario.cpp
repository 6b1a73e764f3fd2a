// MainWindow and scenario files: File > Save Scenario, and opening a .kvscope.json (File > Open,
// drag and drop, recent files and the command line all go through loadModel()).
#include <QComboBox>
#include <QFileDialog>
#include <QSignalBlocker>
#include <QStatusBar>

#include "core/engine/backend_select.h"
#include "core/trace/scenario_file.h"
#include "core/util/error.h"
#include "ui/window/main_window.h"
#include "ui/window/recent_files.h"
#include "ui/window/scenario_io.h"
#include "ui/window/scenario_panel.h"

namespace kvscope {

bool MainWindow::openScenarioFile(const QString& path) {
    ScenarioFile file;
    try {
        file = readScenarioFile(path.toStdString());
    } catch (const InputError& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    // The backend first, so that the model the scenario opens runs there; CUDA only where it can.
    const CudaAvailability cuda = cudaAvailability();
    const bool on_cuda = file.backend == "cuda" && cuda.available;
    {
        const QSignalBlocker quiet(m_scenario->backendBox());
        m_scenario->backendBox()->setCurrentIndex(on_cuda ? 1 : 0);
    }
    setRequestedBackend(on_cuda ? BackendKind::Cuda : BackendKind::Cpu);
    // Likewise the activation scheme ("q8" when the file predates the key).
    const cpu::Activations activations = parseActivations(file.activations, "activations");
    setRequestedActivations(activations);
    m_scenario->showActivations(activations);
    if (const QString error = applyScenario(*this, file); !error.isEmpty()) {
        showError(error);
        return false;
    }
    m_recent->remember(path);
    if (file.backend == "cuda" && !on_cuda)
        statusBar()->showMessage(tr("The scenario asks for the CUDA backend, which is unavailable "
                                    "(%1); the window runs on the CPU")
                                     .arg(QString::fromStdString(cuda.reason)),
                                 8000);
    return true;
}

QString MainWindow::saveScenarioFile(const QString& path) {
    try {
        writeScenarioFile(scenarioFromWindow(*this), path.toStdString());
    } catch (const InputError& e) {
        const QString message = QString::fromStdString(e.what());
        showError(message);
        return message;
    }
    m_recent->remember(path);
    statusBar()->showMessage(tr("Saved the scenario to %1").arg(path), 8000);
    return {};
}

void MainWindow::saveScenarioDialog() {
    QString path = QFileDialog::getSaveFileName(this, tr("Save the scenario"),
                                                QStringLiteral("scenario.kvscope.json"),
                                                tr("KVScope scenarios (*.kvscope.json)"));
    if (path.isEmpty()) return;
    if (!isScenarioFileName(path.toStdString())) {
        if (path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) path.chop(5);
        path += QStringLiteral(".kvscope.json");
    }
    saveScenarioFile(path);
}

}  // namespace kvscope

// MainWindow's memory between runs (QSettings): geometry, dock and toolbar state, the last model
// and prompt; recent files and presenter settings through their parts.
#include <QSettings>

#include "ui/window/main_window.h"
#include "ui/window/presenter_controls.h"
#include "ui/window/recent_files.h"
#include "ui/window/scenario_panel.h"

namespace kvscope {

void MainWindow::restoreSettings() {
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_recent->restore(settings);
    const QString model = settings.value(QStringLiteral("scenario/model")).toString();
    if (model.startsWith(QStringLiteral("builtin:")) || m_recent->files().contains(model))
        m_scenario->showModel(model);
    if (settings.contains(QStringLiteral("scenario/prompt")))
        m_scenario->setPrompt(settings.value(QStringLiteral("scenario/prompt")).toString());
    m_presenter->restore(settings);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    m_recent->save(settings);
    settings.setValue(QStringLiteral("scenario/model"), m_scenario->modelReference());
    settings.setValue(QStringLiteral("scenario/prompt"), m_scenario->prompt());
    m_presenter->save(settings);
}

}  // namespace kvscope

// MainWindow's memory between runs (QSettings): geometry, dock and toolbar state, the last model
// and prompt, recent files and the presenter settings.
#include <QFileInfo>
#include <QSettings>

#include "ui/window/main_window.h"
#include "ui/window/scenario_panel.h"

namespace kvscope {

void MainWindow::restoreSettings() {
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    for (const QString& file : settings.value(QStringLiteral("files/recent")).toStringList()) {
        if (QFileInfo::exists(file)) m_recent << file;
    }
    m_scenario->setRecentFiles(m_recent);
    rebuildRecentMenu();
    const QString model = settings.value(QStringLiteral("scenario/model")).toString();
    if (model.startsWith(QStringLiteral("builtin:")) || m_recent.contains(model))
        m_scenario->showModel(model);
    if (settings.contains(QStringLiteral("scenario/prompt")))
        m_scenario->setPrompt(settings.value(QStringLiteral("scenario/prompt")).toString());
    m_theme.presenter_level = settings.value(QStringLiteral("view/presenter_level"), 0).toInt();
    m_dark->setChecked(settings.value(QStringLiteral("view/dark"), false).toBool());
    if (m_theme.presenter_level != 0) setPresenterLevel(m_theme.presenter_level);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("files/recent"), m_recent);
    settings.setValue(QStringLiteral("scenario/model"), m_scenario->modelReference());
    settings.setValue(QStringLiteral("scenario/prompt"), m_scenario->prompt());
    settings.setValue(QStringLiteral("view/presenter_level"), m_theme.presenter_level);
    settings.setValue(QStringLiteral("view/dark"), m_theme.dark);
}

}  // namespace kvscope

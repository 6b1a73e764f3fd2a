#include "ui/window/presenter_controls.h"

#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QWidget>
#include <algorithm>

namespace kvscope {

PresenterControls::PresenterControls(QWidget* window) : QObject(window), m_window(window) {
    m_larger = new QAction(tr("Presenter: &larger"), this);
    m_larger->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn});
    connect(m_larger, &QAction::triggered, this,
            [this] { setPresenterLevel(m_theme.presenter_level + 1); });
    m_smaller = new QAction(tr("Presenter: &smaller"), this);
    m_smaller->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Minus), QKeySequence::ZoomOut});
    connect(m_smaller, &QAction::triggered, this,
            [this] { setPresenterLevel(m_theme.presenter_level - 1); });
    m_full_screen = new QAction(tr("&Full screen"), this);
    m_full_screen->setShortcut(QKeySequence(Qt::Key_F11));
    m_full_screen->setCheckable(true);
    connect(m_full_screen, &QAction::toggled, this,
            [this](bool on) { on ? m_window->showFullScreen() : m_window->showNormal(); });
    m_dark = new QAction(tr("&Dark palette"), this);
    m_dark->setCheckable(true);
    connect(m_dark, &QAction::toggled, this, &PresenterControls::setDark);
    for (QAction* action : {m_larger, m_smaller, m_full_screen}) {
        action->setToolTip(QStringLiteral("%1 (%2)").arg(
            action->text().remove('&'), action->shortcut().toString(QKeySequence::NativeText)));
    }
}

QList<QAction*> PresenterControls::actions() const {
    return {m_larger, m_smaller, m_full_screen, m_dark};
}

void PresenterControls::setPresenterLevel(int level) {
    m_theme.presenter_level = std::clamp(level, -2, 6);
    applyTheme(*qApp, m_theme);
}

void PresenterControls::setDark(bool dark) {
    m_theme.dark = dark;
    applyTheme(*qApp, m_theme);
}

void PresenterControls::restore(const QSettings& settings) {
    m_theme.presenter_level = settings.value(QStringLiteral("view/presenter_level"), 0).toInt();
    m_dark->setChecked(settings.value(QStringLiteral("view/dark"), false).toBool());
    if (m_theme.presenter_level != 0) setPresenterLevel(m_theme.presenter_level);
}

void PresenterControls::save(QSettings& settings) const {
    settings.setValue(QStringLiteral("view/presenter_level"), m_theme.presenter_level);
    settings.setValue(QStringLiteral("view/dark"), m_theme.dark);
}

}  // namespace kvscope

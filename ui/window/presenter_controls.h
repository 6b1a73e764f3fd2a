#pragma once
// Presenter mode, for a window on a projector: larger and smaller fonts (Ctrl+= and Ctrl+-, in
// steps of 20%, from -2 to 6), full screen (F11) and the dark palette. Fonts and palette are the
// whole application's (applyTheme()); full screen is the window's. The ThemeOptions they make are
// remembered between runs (restore(), save()).
#include <QList>
#include <QObject>

#include "ui/style/theme.h"

class QAction;
class QSettings;
class QWidget;

namespace kvscope {

class PresenterControls : public QObject {
    Q_OBJECT
public:
    /// Full screen shows `window` full screen or normal again; `window` is the parent too.
    explicit PresenterControls(QWidget* window);

    QAction* largerAction() const { return m_larger; }
    QAction* smallerAction() const { return m_smaller; }
    QAction* fullScreenAction() const { return m_full_screen; }
    QAction* darkAction() const { return m_dark; }
    /// Every action above, in menu order.
    QList<QAction*> actions() const;

    /// What is applied to the application now.
    const ThemeOptions& themeOptions() const { return m_theme; }
    /// Applies fonts at `level`, clamped to [-2, 6].
    void setPresenterLevel(int level);
    void setDark(bool dark);

    /// Applies the level and palette of the last run ("view/presenter_level", "view/dark").
    void restore(const QSettings& settings);
    void save(QSettings& settings) const;

private:
    QWidget* m_window;
    ThemeOptions m_theme;
    QAction* m_larger = nullptr;
    QAction* m_smaller = nullptr;
    QAction* m_full_screen = nullptr;
    QAction* m_dark = nullptr;
};

}  // namespace kvscope

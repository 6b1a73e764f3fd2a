// Presenter mode on its own, with a plain widget for a window: the keys, the font steps and their
// limits, the dark palette, full screen, and the settings kept between runs.
#include <catch2/catch.hpp>

#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>
#include <QWidget>

#include "ui/style/theme.h"
#include "ui/window/presenter_controls.h"

using namespace kvscope;

namespace {

/// Puts the application's theme back as installed when the test ends.
struct ThemeRestorer {
    ~ThemeRestorer() { applyTheme(*qApp); }
};

}  // namespace

TEST_CASE("presenter controls name their keys", "[ui][presenter]") {
    QWidget window;
    PresenterControls presenter(&window);
    CHECK(presenter.largerAction()->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Equal));
    CHECK(presenter.smallerAction()->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Minus));
    CHECK(presenter.fullScreenAction()->shortcut() == QKeySequence(Qt::Key_F11));
    for (QAction* action :
         {presenter.largerAction(), presenter.smallerAction(), presenter.fullScreenAction()})
        CHECK(action->toolTip().contains(action->shortcut().toString(QKeySequence::NativeText)));
    CHECK(presenter.largerAction()->shortcuts().contains(QKeySequence(QKeySequence::ZoomIn)));
    CHECK(presenter.smallerAction()->shortcuts().contains(QKeySequence(QKeySequence::ZoomOut)));
    CHECK(presenter.darkAction()->isCheckable());
    CHECK(presenter.actions() ==
          QList<QAction*>({presenter.largerAction(), presenter.smallerAction(),
                           presenter.fullScreenAction(), presenter.darkAction()}));
}

TEST_CASE("presenter fonts go up and down in steps, from -2 to 6", "[ui][presenter]") {
    const ThemeRestorer restore;
    applyTheme(*qApp);
    QWidget window;
    PresenterControls presenter(&window);
    const double normal = QApplication::font().pointSizeF();
    presenter.largerAction()->trigger();
    presenter.largerAction()->trigger();
    CHECK(presenter.themeOptions().presenter_level == 2);
    CHECK(QApplication::font().pointSizeF() > normal * 1.3);
    CHECK(QApplication::font().pointSizeF() == Approx(themeFontSize(2)));
    for (int i = 0; i < 10; ++i)
        presenter.largerAction()->trigger();
    CHECK(presenter.themeOptions().presenter_level == 6);
    CHECK(QApplication::font().pointSizeF() == Approx(themeFontSize(6)));
    for (int i = 0; i < 20; ++i)
        presenter.smallerAction()->trigger();
    CHECK(presenter.themeOptions().presenter_level == -2);
    CHECK(QApplication::font().pointSizeF() == Approx(themeFontSize(-2)));
    presenter.setPresenterLevel(0);
    CHECK(QApplication::font().pointSizeF() == Approx(normal));
}

TEST_CASE("the dark palette and full screen", "[ui][presenter]") {
    const ThemeRestorer restore;
    QWidget window;
    PresenterControls presenter(&window);
    presenter.darkAction()->setChecked(true);
    CHECK(presenter.themeOptions().dark);
    CHECK(QApplication::palette().color(QPalette::Window).lightness() < 80);
    presenter.darkAction()->setChecked(false);
    CHECK_FALSE(presenter.themeOptions().dark);
    CHECK(QApplication::palette().color(QPalette::Window).lightness() > 200);

    window.show();
    presenter.fullScreenAction()->setChecked(true);
    CHECK(window.isFullScreen());
    presenter.fullScreenAction()->setChecked(false);
    CHECK_FALSE(window.isFullScreen());
}

TEST_CASE("the presenter level and palette are kept between runs", "[ui][presenter]") {
    const ThemeRestorer restore;
    QTemporaryDir dir;
    QSettings settings(dir.filePath("settings.ini"), QSettings::IniFormat);
    {
        QWidget window;
        PresenterControls presenter(&window);
        presenter.restore(settings);  // nothing saved yet: as installed
        CHECK(presenter.themeOptions().presenter_level == 0);
        CHECK_FALSE(presenter.themeOptions().dark);
        presenter.setPresenterLevel(3);
        presenter.darkAction()->setChecked(true);
        presenter.save(settings);
    }
    applyTheme(*qApp);
    QWidget window;
    PresenterControls again(&window);
    again.restore(settings);
    CHECK(again.themeOptions().presenter_level == 3);
    CHECK(again.themeOptions().dark);
    CHECK(again.darkAction()->isChecked());
    CHECK(QApplication::font().pointSizeF() == Approx(themeFontSize(3)));
    CHECK(QApplication::palette().color(QPalette::Window).lightness() < 80);
}

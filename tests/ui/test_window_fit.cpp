// Every view fits the 1280x800 window of --screenshot and a classroom projector: with the left
// docks shown, and with a lesson's dock on the right. A QTabWidget is as wide as its widest page's
// minimum, so one stiff widget on any page clips every view; the message names the stiffest.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QSettings>
#include <QTabWidget>
#include <algorithm>
#include <vector>

#include "ui/lessons/lesson_catalog.h"
#include "ui/lessons/lesson_player.h"
#include "ui/style/theme.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

namespace {

/// The widgets under `root` whose minimum width is above `limit`, widest first: "Class
/// objectName: min W".
QString widestChildren(const QWidget& root, int limit) {
    std::vector<std::pair<int, QString>> found;
    for (const QWidget* w : root.findChildren<QWidget*>()) {
        if (!w->isVisibleTo(&root)) continue;
        const int min_width = std::max(w->minimumSizeHint().width(), w->minimumWidth());
        if (min_width > limit) {
            QString path;  // class names from the page down
            for (const QWidget* p = w; p && p != &root; p = p->parentWidget())
                path.prepend(QLatin1String("/") + QLatin1String(p->metaObject()->className()));
            found.emplace_back(
                min_width,
                QStringLiteral("%1 '%2': min %3").arg(path, w->objectName()).arg(min_width));
        }
    }
    std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.first > b.first; });
    QStringList lines;
    for (std::size_t i = 0; i < std::min<std::size_t>(found.size(), 60); ++i)
        lines << found[i].second;
    return lines.join('\n');
}

/// The visible widgets under `root` squeezed below their minimum size (cut off): "Class
/// WxH < min WxH", one a line. Qt's own parts (a spin box's line edit, a table's headers) size
/// themselves and are left out.
QString squeezedChildren(const QWidget& root) {
    QStringList lines;
    for (const QWidget* w : root.findChildren<QWidget*>()) {
        if (!w->isVisibleTo(&root) || w->isWindow() || w->objectName().startsWith("qt_") ||
            w->inherits("QHeaderView")) {
            continue;
        }
        QSize min = (w->minimumSize().isNull() ? w->minimumSizeHint() : w->minimumSize())
                        .boundedTo(w->maximumSize());
        // A widget whose height follows its width (wrapping text, a flow of swatches) needs
        // its heightForWidth at the width it has, not the height it would need at its narrowest.
        if (w->hasHeightForWidth())
            min.setHeight(std::min(min.height(), w->heightForWidth(w->width())));
        if (w->width() < min.width() || w->height() < min.height()) {
            lines << QStringLiteral("%1 '%2' %3x%4 < min %5x%6")
                         .arg(w->metaObject()->className(), w->objectName())
                         .arg(w->width())
                         .arg(w->height())
                         .arg(min.width())
                         .arg(min.height());
        }
    }
    return lines.join('\n');
}

/// Shows every tab of `window` at 1280x800 and checks that nothing is wider or taller than the
/// room it gets.
void requireEveryViewFits(MainWindow& window) {
    window.setAttribute(Qt::WA_DontShowOnScreen, true);
    window.resize(1280, 800);
    window.show();
    QTabWidget& tabs = *window.views();
    for (int i = 0; i < tabs.count(); ++i) {
        tabs.setCurrentIndex(i);
        QApplication::processEvents();
        QWidget& page = *tabs.widget(i);
        QWidget& central = *window.centralWidget();
        INFO("view " << tabs.tabText(i).toStdString() << ": central " << central.width() << "x"
                     << central.height() << ", minimum " << central.minimumSizeHint().width() << "x"
                     << central.minimumSizeHint().height() << ", page " << page.width() << "x"
                     << page.height() << ", page minimum " << page.minimumSizeHint().width() << "x"
                     << page.minimumSizeHint().height() << "\nwidest:\n"
                     << widestChildren(page, 150).toStdString());
        // The window keeps the size asked for: no minimum pushed it wider or taller.
        CHECK(window.width() == 1280);
        CHECK(window.height() == 800);
        CHECK(central.minimumSizeHint().width() <= central.width());
        CHECK(central.minimumSizeHint().height() <= central.height());
        // Nothing on the page is squeezed below its own minimum (which is how clipping shows).
        CHECK(page.minimumSizeHint().width() <= page.width());
        CHECK(page.minimumSizeHint().height() <= page.height());
        CHECK(central.geometry().right() < 1280);
        CHECK(squeezedChildren(page).toStdString() == "");
    }
}

}  // namespace

TEST_CASE("every view fits a 1280x800 window with the left docks shown", "[ui][window][fit]") {
    freshInstall();
    MainWindow window;
    runScenario(window, "builtin:demo", "KVScope KVScope KVScope", 4);
    requireEveryViewFits(window);
}

TEST_CASE("every view fits a 1280x800 window with a lesson dock shown", "[ui][window][fit]") {
    for (const char* lesson : {"1", "4", "5"}) {
        INFO("lesson " << lesson);
        freshInstall();
        MainWindow window;
        openLessonSecondStep(window, lesson);
        requireEveryViewFits(window);
    }
}

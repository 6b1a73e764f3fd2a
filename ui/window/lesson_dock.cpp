#include "ui/window/lesson_dock.h"

#include <QAction>
#include <QFileDialog>
#include <QMenu>

#include "core/util/error.h"
#include "ui/lessons/lesson_catalog.h"
#include "ui/lessons/lesson_player.h"
#include "ui/window/main_window.h"

namespace kvscope {

LessonDock::LessonDock(MainWindow& window) : QDockWidget(tr("Lesson")), m_window(window) {
    m_player = new LessonPlayer(window);
    m_player->setMinimumWidth(300);
    setObjectName(QStringLiteral("lesson_dock"));
    setWidget(m_player);
    setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                QDockWidget::DockWidgetClosable);
}

void LessonDock::fillMenu(QMenu* menu) {
    for (const QString& path : builtinLessonPaths()) {
        QString title;
        try {
            title = QString::fromStdString(loadLesson(path).title);
        } catch (const InputError&) {  // a broken built-in lesson: listed, with its error
            title = tr("%1 (cannot be read)").arg(path.section(QLatin1Char('/'), -1));
        }
        menu->addAction(title, this, [this, path] { emit lessonChosen(path); });
    }
    menu->addSeparator();
    menu->addAction(tr("&Open lesson file\u2026"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(&m_window, tr("Open a lesson"), QString(),
                                                          tr("KVScope lessons (*.json)"));
        if (!path.isEmpty()) emit lessonChosen(path);
    });
    menu->addAction(toggleViewAction());
}

}  // namespace kvscope

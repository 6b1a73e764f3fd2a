// MainWindow and lessons: the Lessons menu (the built-in lessons, Open lesson file…, Close) and
// the Lesson dock on the right that holds the player. While a lesson runs, the left docks step
// aside: the lesson sets up the scenario, and the views get the width.
#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QMenu>

#include "core/util/error.h"
#include "ui/lessons/lesson_catalog.h"
#include "ui/lessons/lesson_player.h"
#include "ui/window/main_window.h"

namespace kvscope {

void MainWindow::buildLessons() {
    m_lesson = new LessonPlayer(*this);
    m_lesson->setMinimumWidth(300);
    m_lesson_dock = new QDockWidget(tr("Lesson"));
    m_lesson_dock->setObjectName(QStringLiteral("lesson_dock"));
    m_lesson_dock->setWidget(m_lesson);
    m_lesson_dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                               QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::RightDockWidgetArea, m_lesson_dock);
    m_lesson_dock->hide();
    connect(m_lesson_dock, &QDockWidget::visibilityChanged, this, [this] { updateDocks(); });

    for (const QString& path : builtinLessonPaths()) {
        QString title;
        try {
            title = QString::fromStdString(loadLesson(path).title);
        } catch (const InputError&) {  // a broken built-in lesson: listed, with its error
            title = tr("%1 (cannot be read)").arg(path.section(QLatin1Char('/'), -1));
        }
        m_lessons_menu->addAction(title, this, [this, path] { openLesson(path); });
    }
    m_lessons_menu->addSeparator();
    m_lessons_menu->addAction(tr("&Open lesson file\u2026"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a lesson"), QString(),
                                                          tr("KVScope lessons (*.json)"));
        if (!path.isEmpty()) openLesson(path);
    });
    m_lessons_menu->addAction(m_lesson_dock->toggleViewAction());
}

bool MainWindow::openLesson(const QString& path) {
    const bool was_hidden = m_lesson_dock->isHidden();
    m_lesson_dock->show();
    m_lesson_dock->raise();
    if (was_hidden) resizeDocks({m_lesson_dock}, {320}, Qt::Horizontal);  // the views need the rest
    updateDocks();  // also when the window is not on screen (no visibilityChanged then)
    if (!m_lesson->openLesson(path)) {
        showError(m_lesson->errorText());
        return false;
    }
    return true;
}

}  // namespace kvscope

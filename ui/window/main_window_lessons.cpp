// MainWindow and lessons: the Lesson dock on the right (LessonDock, which also fills the Lessons
// menu) and opening a lesson in it. While a lesson runs, the left docks step aside: the lesson
// sets up the scenario, and the views get the width.
#include "ui/lessons/lesson_player.h"
#include "ui/window/lesson_dock.h"
#include "ui/window/main_window.h"

namespace kvscope {

void MainWindow::buildLessons() {
    m_lesson_dock = new LessonDock(*this);
    addDockWidget(Qt::RightDockWidgetArea, m_lesson_dock);
    m_lesson_dock->hide();
    connect(m_lesson_dock, &QDockWidget::visibilityChanged, this, [this] { updateDocks(); });
    m_lesson_dock->fillMenu(m_lessons_menu);
    connect(m_lesson_dock, &LessonDock::lessonChosen, this, &MainWindow::openLesson);
}

bool MainWindow::openLesson(const QString& path) {
    const bool was_hidden = m_lesson_dock->isHidden();
    m_lesson_dock->show();
    m_lesson_dock->raise();
    if (was_hidden) resizeDocks({m_lesson_dock}, {320}, Qt::Horizontal);  // the views need the rest
    updateDocks();  // also when the window is not on screen (no visibilityChanged then)
    LessonPlayer* player = m_lesson_dock->player();
    if (!player->openLesson(path)) {
        showError(player->errorText());
        return false;
    }
    return true;
}

}  // namespace kvscope

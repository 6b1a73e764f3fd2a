#pragma once
// The Lesson dock on the right of the window, holding the LessonPlayer (hidden until a lesson is
// opened), and the Lessons menu it offers: the built-in lessons by title, Open lesson file… and
// the dock's own show/hide.
#include <QDockWidget>

class QMenu;

namespace kvscope {

class LessonPlayer;
class MainWindow;

class LessonDock : public QDockWidget {
    Q_OBJECT
public:
    /// The player drives `window`.
    explicit LessonDock(MainWindow& window);

    LessonPlayer* player() const { return m_player; }
    /// Adds the built-in lessons, Open lesson file… and the dock's toggle to `menu`. A lesson
    /// picked there is emitted as lessonChosen(); opening it is the window's (openLesson()).
    void fillMenu(QMenu* menu);

signals:
    void lessonChosen(const QString& path);

private:
    MainWindow& m_window;
    LessonPlayer* m_player = nullptr;
};

}  // namespace kvscope

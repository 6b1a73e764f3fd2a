#pragma once
// The lesson player: a teacher opens a lesson and walks through it with Next and Back (or a
// presenter's clicker: Page Down / Page Up). Each step sets up what is on screen (the scenario,
// the decode steps shown, the view and its settings) and shows its explanation beside the live
// views. Steps that continue the same scenario only run the missing decode steps or move the
// cursor (Back is a scrub, never a recomputation); a step with a new scenario loads it.
#include <QString>
#include <QWidget>
#include <optional>

#include "core/trace/lesson_file.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace kvscope {

class MainWindow;

class LessonPlayer : public QWidget {
    Q_OBJECT
public:
    explicit LessonPlayer(MainWindow& window, QWidget* parent = nullptr);

    /// Reads the lesson (a file or a ":/lessons/..." resource) and shows its first step. On a bad
    /// file shows why (errorText()) and keeps the lesson that was open.
    bool openLesson(const QString& path);
    /// Shows step `index` (0-based), clamped to the lesson.
    void goTo(int index);
    void next();
    void back();

    const std::optional<Lesson>& lesson() const { return m_lesson; }
    int stepIndex() const { return m_index; }
    int stepCount() const { return m_lesson ? int(m_lesson->steps.size()) : 0; }
    QString errorText() const { return m_error; }
    /// Waits for the engine and the view the step shows (a quantization run, a simulation).
    bool waitUntilIdle(int timeout_ms = 120000);

    QLabel* textLabel() const { return m_text; }
    QPushButton* nextButton() const { return m_next; }
    QPushButton* backButton() const { return m_back; }

signals:
    void stepShown(int index);

protected:
    void changeEvent(QEvent* event) override;

private:
    void apply(const LessonStep& step);
    void render();
    void updateFonts();

    MainWindow& m_window;
    std::optional<Lesson> m_lesson;
    int m_index = 0;
    std::optional<Scenario> m_applied;  // the scenario the window runs for this lesson
    QString m_error;

    QLabel* m_title = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_step_title = nullptr;
    QLabel* m_text = nullptr;
    QLabel* m_error_label = nullptr;
    QPushButton* m_back = nullptr;
    QPushButton* m_next = nullptr;
};

/// The step's text as rich text: each blank-line separated paragraph in <p>, HTML escaped.
QString lessonTextHtml(const std::string& text);

}  // namespace kvscope

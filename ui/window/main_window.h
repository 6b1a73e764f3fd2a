#pragma once
// The KVScope main window. Docks on the left: the next-token candidates, the scenario (model,
// prompt, sampling, cache) and the model's shape (LeftDocks). The views as tabs in the middle
// (ViewTabs). The transport and the timeline on top (Transport), the facts of the step on screen
// in the status bar (StatusFacts), presenter mode and recent files in the menus
// (PresenterControls, RecentFiles), a lesson on the right (LessonDock). The window puts these
// parts together and connects them to the engine; each is an object of its own, reached through
// the accessors below.
//
// The engine runs on a worker thread (SessionRunner); the window and every view render the
// TraceModel and its cursor. Failures are shown in the window (lastError()); nothing throws.
#include <QMainWindow>

class QMenu;
class QMimeData;

namespace kvscope {

class LeftDocks;
class LessonDock;
class LessonPlayer;
class PresenterControls;
class RecentFiles;
class ScenarioPanel;
class SessionRunner;
class StatusFacts;
class TraceModel;
class Transport;
class ViewTabs;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // What the toolbar does, callable from --screenshot and the tests. Requests run on the worker:
    // call waitUntilIdle() to see their results.
    void loadModel(const QString& reference);
    void setPrompt(const QString& text);
    void prefill();
    void step();
    void stepBack();
    void runToEnd();
    void reset();
    /// Loads the one local file in dropped `data` (what dropping it on the window does).
    bool openDropped(const QMimeData& data);
    /// Opens a .kvscope.json scenario: fills in the panel, loads, prefills and steps (on the
    /// worker; waitUntilIdle() waits for all of it). False with the error shown on bad input.
    bool openScenarioFile(const QString& path);
    /// Opens a saved JSON trace for replay without its model: every view shows the recorded
    /// steps, Step/Back/the timeline move the cursor, nothing is computed. False with the error
    /// shown on a bad file (the window keeps what it showed).
    bool openTraceFile(const QString& path);
    /// Opens a lesson (a file or a built-in ":/lessons/..." one) in the Lesson dock and shows its
    /// first step. False with the error shown on a bad file.
    bool openLesson(const QString& path);
    /// Saves the scenario on screen (ui/scenario_io.h). Returns "" or the error (also shown).
    QString saveScenarioFile(const QString& path);
    /// Runs the event loop until the engine has answered every request. False on timeout.
    bool waitUntilIdle(int timeout_ms = 120000);
    /// The error shown in the status bar; "" while there is none.
    QString lastError() const;

    // The window's parts.
    TraceModel* trace() const { return m_trace; }
    SessionRunner* runner() const { return m_runner; }
    ScenarioPanel* scenarioPanel() const { return m_scenario; }
    ViewTabs* views() const { return m_views; }
    LeftDocks* leftDocks() const { return m_left_docks; }
    Transport* transport() const { return m_transport; }
    PresenterControls* presenter() const { return m_presenter; }
    RecentFiles* recentFiles() const { return m_recent; }
    LessonPlayer* lessonPlayer() const;

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void buildToolBars();
    void buildDocks();
    void buildLessons();
    void updateDocks();
    void connectEngine();
    void restoreSettings();
    void saveSettings() const;

    void openFileDialog();
    void saveScenarioDialog();
    void showError(const QString& message);
    void clearError();

    TraceModel* m_trace = nullptr;
    SessionRunner* m_runner = nullptr;
    ScenarioPanel* m_scenario = nullptr;
    ViewTabs* m_views = nullptr;
    Transport* m_transport = nullptr;
    PresenterControls* m_presenter = nullptr;
    RecentFiles* m_recent = nullptr;
    LeftDocks* m_left_docks = nullptr;
    LessonDock* m_lesson_dock = nullptr;
    StatusFacts* m_status = nullptr;

    QMenu* m_view_menu = nullptr;
    QMenu* m_lessons_menu = nullptr;
    QMenu* m_export_menu = nullptr;
};

}  // namespace kvscope

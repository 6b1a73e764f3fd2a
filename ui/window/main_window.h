#pragma once
// The KVScope main window. Docks on the left: the next-token candidates, the scenario (model,
// prompt, sampling, cache) and the model's shape. The views as tabs in the middle (Generate
// and Memory; Paging and Quantization join as they are built). Transport controls and the
// timeline on top, the facts of the step on screen in the status bar.
//
// The engine runs on a worker thread (SessionRunner); the window and every view render the
// TraceModel and its cursor. Failures are shown in the window (lastError()); nothing throws.
#include <QList>
#include <QMainWindow>
#include <QStringList>

#include "ui/style/theme.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QMimeData;
class QSlider;
class QTabWidget;

namespace kvscope {

class GenerateView;
class LessonPlayer;
class MemoryView;
class PagingView;
class QuantView;
class ScenarioPanel;
class SessionRunner;
class TopKView;
class TraceModel;

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
    LessonPlayer* lessonPlayer() const { return m_lesson; }
    /// Saves the scenario on screen (ui/scenario_io.h). Returns "" or the error (also shown).
    QString saveScenarioFile(const QString& path);
    /// Runs the event loop until the engine has answered every request. False on timeout.
    bool waitUntilIdle(int timeout_ms = 120000);
    void showHead(int layer, int head);
    /// Selects a tab by name ("generate", ...); false when there is no such view.
    bool showView(const QString& name);

    QString modelReference() const;
    QString lastError() const { return m_last_error; }
    TraceModel* trace() const { return m_trace; }
    SessionRunner* runner() const { return m_runner; }
    GenerateView* generateView() const { return m_generate; }
    MemoryView* memoryView() const { return m_memory; }
    PagingView* pagingView() const { return m_paging; }
    QuantView* quantView() const { return m_quant; }
    ScenarioPanel* scenarioPanel() const { return m_scenario; }
    TopKView* topK() const { return m_top_k; }
    QSlider* timeline() const { return m_timeline; }
    QSlider* speedSlider() const { return m_speed; }
    QLabel* explanation() const;
    QTabWidget* tabs() const { return m_tabs; }
    QStringList recentFiles() const { return m_recent; }

    QAction* prefillAction() const { return m_prefill; }
    QAction* stepAction() const { return m_step; }
    QAction* stepBackAction() const { return m_step_back; }
    QAction* playAction() const { return m_play; }
    QAction* runToEndAction() const { return m_run_to_end; }
    QAction* resetAction() const { return m_reset; }
    QAction* largerAction() const { return m_larger; }
    QAction* smallerAction() const { return m_smaller; }
    QAction* fullScreenAction() const { return m_full_screen; }
    QAction* darkAction() const { return m_dark; }
    const ThemeOptions& themeOptions() const { return m_theme; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    void buildMenus();
    void buildToolBars();
    void buildDocks();
    void buildLessons();
    void updateDocks();
    void buildStatusBar();
    void connectEngine();
    void restoreSettings();
    void saveSettings() const;

    void openFileDialog();
    void saveScenarioDialog();
    void rememberFile(const QString& path);
    void rebuildRecentMenu();
    void setPresenterLevel(int level);
    void setDark(bool dark);

    void refresh();
    void refreshTopK();
    void refreshStatus();
    void refreshActions();
    void showError(const QString& message);
    void clearError();

    TraceModel* m_trace = nullptr;
    SessionRunner* m_runner = nullptr;
    ScenarioPanel* m_scenario = nullptr;
    GenerateView* m_generate = nullptr;
    MemoryView* m_memory = nullptr;
    PagingView* m_paging = nullptr;
    QuantView* m_quant = nullptr;
    QTabWidget* m_tabs = nullptr;
    TopKView* m_top_k = nullptr;
    QLabel* m_model_facts = nullptr;
    QSlider* m_timeline = nullptr;
    QSlider* m_speed = nullptr;
    QLabel* m_speed_label = nullptr;
    QMenu* m_recent_menu = nullptr;
    QMenu* m_view_menu = nullptr;
    QMenu* m_lessons_menu = nullptr;
    QList<QDockWidget*> m_left_docks;  // next token, scenario, model
    QDockWidget* m_lesson_dock = nullptr;
    LessonPlayer* m_lesson = nullptr;
    QStringList m_recent;
    QString m_last_error;
    ThemeOptions m_theme;

    QAction* m_open = nullptr;
    QAction* m_save_scenario = nullptr;
    QMenu* m_export_menu = nullptr;
    QAction* m_prefill = nullptr;
    QAction* m_step = nullptr;
    QAction* m_step_back = nullptr;
    QAction* m_play = nullptr;
    QAction* m_run_to_end = nullptr;
    QAction* m_stop = nullptr;
    QAction* m_reset = nullptr;
    QAction* m_larger = nullptr;
    QAction* m_smaller = nullptr;
    QAction* m_full_screen = nullptr;
    QAction* m_dark = nullptr;
    QAction* m_frame_overlay = nullptr;

    QLabel* m_position_label = nullptr;
    QLabel* m_kv_label = nullptr;
    QLabel* m_step_label = nullptr;
    QLabel* m_backend_label = nullptr;
    QLabel* m_error_label = nullptr;
};

}  // namespace kvscope

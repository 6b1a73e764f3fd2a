#pragma once
// The KVScope main window. Docks on the left: the next-token candidates, the scenario (model,
// prompt, sampling, cache) and the model's shape. The views as tabs in the middle (Generate
// and Memory; Paging and Quantization join as they are built). Transport controls and the
// timeline on top, the facts of the step on screen in the status bar.
//
// The engine runs on a worker thread (SessionRunner); the window and every view render the
// TraceModel and its cursor. Failures are shown in the window (lastError()); nothing throws.
#include <QMainWindow>
#include <QStringList>

#include "ui/theme.h"

class QAction;
class QLabel;
class QMenu;
class QMimeData;
class QSlider;
class QTabWidget;

namespace kvscope {

class GenerateView;
class MemoryView;
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
    void buildStatusBar();
    void connectEngine();
    void restoreSettings();
    void saveSettings() const;

    void openFileDialog();
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
    QTabWidget* m_tabs = nullptr;
    TopKView* m_top_k = nullptr;
    QLabel* m_model_facts = nullptr;
    QSlider* m_timeline = nullptr;
    QSlider* m_speed = nullptr;
    QLabel* m_speed_label = nullptr;
    QMenu* m_recent_menu = nullptr;
    QMenu* m_view_menu = nullptr;
    QStringList m_recent;
    QString m_last_error;
    ThemeOptions m_theme;

    QAction* m_open = nullptr;
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

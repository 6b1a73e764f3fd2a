#pragma once
// The transport of a session: Prefill, Step back, Step, Play/Pause, Run to end, Stop and Reset,
// the Play speed and the timeline, on two toolbars ("Transport" and "Timeline"). Every action has
// a key (Ctrl+Return, Left, Right, Space, End, Escape, Home) named in its tooltip. The actions are
// enabled as the SessionRunner and the TraceModel allow, kept in step with their signals: nothing
// steps without a model, only Stop while the engine works, the timeline once there is more than
// one record to scrub.
//
// Step back, Step, Play, Stop and Reset go to the runner, the speed slider sets its speed and the
// timeline moves the trace's cursor. Prefill and Run to end need the scenario's prompt and length:
// the window connects their triggered() (MainWindow::prefill(), MainWindow::runToEnd()).
#include <QList>
#include <QObject>

class QAction;
class QLabel;
class QSlider;
class QToolBar;
class QWidget;

namespace kvscope {

class SessionRunner;
class TraceModel;

class Transport : public QObject {
    Q_OBJECT
public:
    /// The toolbars are made children of `parent` (a window then adds them with addToolBar()).
    Transport(TraceModel* trace, SessionRunner* runner, QWidget* parent);

    QAction* prefillAction() const { return m_prefill; }
    QAction* stepBackAction() const { return m_step_back; }
    QAction* stepAction() const { return m_step; }
    QAction* playAction() const { return m_play; }
    QAction* runToEndAction() const { return m_run_to_end; }
    QAction* stopAction() const { return m_stop; }
    QAction* resetAction() const { return m_reset; }
    /// Every action above, in toolbar and menu order.
    QList<QAction*> actions() const;

    /// Play speed in quarter-steps per second (1 .. 40), shown beside it in steps per second.
    QSlider* speedSlider() const { return m_speed; }
    QLabel* speedLabel() const { return m_speed_label; }
    /// Records shown (1 .. recorded); dragging it replays without the engine.
    QSlider* timeline() const { return m_timeline; }

    QToolBar* transportBar() const { return m_transport_bar; }
    QToolBar* timelineBar() const { return m_timeline_bar; }

private:
    void buildActions();
    void buildToolBars(QWidget* parent);
    /// The timeline's range, position and tooltip from the trace, then the enabling rules.
    void refresh();
    void refreshEnabled();

    TraceModel* m_trace;
    SessionRunner* m_runner;

    QAction* m_prefill = nullptr;
    QAction* m_step_back = nullptr;
    QAction* m_step = nullptr;
    QAction* m_play = nullptr;
    QAction* m_run_to_end = nullptr;
    QAction* m_stop = nullptr;
    QAction* m_reset = nullptr;
    QSlider* m_speed = nullptr;
    QLabel* m_speed_label = nullptr;
    QSlider* m_timeline = nullptr;
    QToolBar* m_transport_bar = nullptr;
    QToolBar* m_timeline_bar = nullptr;
};

}  // namespace kvscope

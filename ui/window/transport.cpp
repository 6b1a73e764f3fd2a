#include "ui/window/transport.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolBar>
#include <algorithm>

#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"

namespace kvscope {
namespace {

/// "Step: feed the next token (Right)": the shortcut is named in every tooltip.
QAction* makeAction(QObject* parent, QStyle::StandardPixmap icon, const QString& text,
                    const QKeySequence& shortcut, const QString& what) {
    auto* action = new QAction(QApplication::style()->standardIcon(icon), text, parent);
    action->setShortcut(shortcut);
    action->setToolTip(
        QStringLiteral("%1 (%2)").arg(what, shortcut.toString(QKeySequence::NativeText)));
    return action;
}

}  // namespace

Transport::Transport(TraceModel* trace, SessionRunner* runner, QWidget* parent)
    : QObject(parent), m_trace(trace), m_runner(runner) {
    buildActions();
    buildToolBars(parent);
    connect(m_trace, &TraceModel::recordsChanged, this, &Transport::refresh);
    connect(m_trace, &TraceModel::cursorChanged, this, &Transport::refresh);
    connect(m_runner, &SessionRunner::busyChanged, this, &Transport::refreshEnabled);
    connect(m_runner, &SessionRunner::playingChanged, this, &Transport::refreshEnabled);
    refresh();
}

QList<QAction*> Transport::actions() const {
    return {m_prefill, m_step_back, m_step, m_play, m_run_to_end, m_stop, m_reset};
}

void Transport::buildActions() {
    m_prefill = makeAction(this, QStyle::SP_MediaPlay, tr("Prefill"),
                           QKeySequence(Qt::CTRL | Qt::Key_Return),
                           tr("Prefill: run the whole prompt through the model in one pass"));
    m_step_back =
        makeAction(this, QStyle::SP_MediaSeekBackward, tr("Back"), QKeySequence(Qt::Key_Left),
                   tr("Step back: undo the last step in the KV cache (or replay one "
                      "step earlier)"));
    connect(m_step_back, &QAction::triggered, m_runner, &SessionRunner::stepBack);
    m_step = makeAction(this, QStyle::SP_MediaSeekForward, tr("Step"), QKeySequence(Qt::Key_Right),
                        tr("Step: feed the sampled token and sample the next one"));
    connect(m_step, &QAction::triggered, m_runner, &SessionRunner::step);
    m_play = makeAction(this, QStyle::SP_MediaPlay, tr("Play"), QKeySequence(Qt::Key_Space),
                        tr("Play / Pause: step on a timer at the speed on the right"));
    m_play->setCheckable(true);
    connect(m_play, &QAction::toggled, m_runner, &SessionRunner::setPlaying);
    m_run_to_end =
        makeAction(this, QStyle::SP_MediaSkipForward, tr("Run to end"), QKeySequence(Qt::Key_End),
                   tr("Run to end: decode every remaining step"));
    m_stop = makeAction(this, QStyle::SP_MediaStop, tr("Stop"), QKeySequence(Qt::Key_Escape),
                        tr("Stop: pause Play and stop Run to end after its current step"));
    connect(m_stop, &QAction::triggered, m_runner, &SessionRunner::cancel);
    m_reset =
        makeAction(this, QStyle::SP_MediaSkipBackward, tr("Reset"), QKeySequence(Qt::Key_Home),
                   tr("Reset: empty the KV cache and start over"));
    connect(m_reset, &QAction::triggered, m_runner, &SessionRunner::reset);
}

void Transport::buildToolBars(QWidget* parent) {
    m_transport_bar = new QToolBar(tr("Transport"), parent);
    m_transport_bar->setObjectName(QStringLiteral("transport_toolbar"));
    m_transport_bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_transport_bar->addActions(actions());

    m_speed = new QSlider(Qt::Horizontal);
    m_speed->setRange(1, 40);  // quarter-steps per second: 0.25 .. 10 steps/s
    m_speed->setValue(16);
    m_speed->setFixedWidth(120);
    m_speed->setToolTip(tr("Play speed"));
    m_speed_label = new QLabel;
    auto apply_speed = [this](int value) {
        m_runner->setSpeed(value / 4.0);
        m_speed_label->setText(tr("%1 steps/s").arg(m_runner->speed(), 0, 'g', 3));
    };
    connect(m_speed, &QSlider::valueChanged, this, apply_speed);
    apply_speed(m_speed->value());
    m_transport_bar->addSeparator();
    m_transport_bar->addWidget(new QLabel(tr(" Speed ")));
    m_transport_bar->addWidget(m_speed);
    m_transport_bar->addWidget(m_speed_label);

    m_timeline_bar = new QToolBar(tr("Timeline"), parent);
    m_timeline_bar->setObjectName(QStringLiteral("timeline_toolbar"));
    m_timeline = new QSlider(Qt::Horizontal);
    m_timeline->setMinimumWidth(240);
    m_timeline->setPageStep(8);
    connect(m_timeline, &QSlider::valueChanged, m_trace, &TraceModel::setCursor);
    m_timeline_bar->addWidget(new QLabel(tr(" Timeline ")));
    m_timeline_bar->addWidget(m_timeline);
}

void Transport::refresh() {
    {
        const QSignalBlocker block(m_timeline);
        m_timeline->setRange(std::min(1, m_trace->recordCount()), m_trace->recordCount());
        m_timeline->setValue(m_trace->cursor());
    }
    m_timeline->setToolTip(tr("Timeline: step %1 of %2 recorded (drag to replay)")
                               .arg(std::max(0, m_trace->cursor() - 1))
                               .arg(std::max(0, m_trace->recordCount() - 1)));
    refreshEnabled();
}

void Transport::refreshEnabled() {
    const bool busy = m_runner->isBusy();
    const bool model = m_runner->hasModel();
    const bool playing = m_runner->isPlaying();
    m_prefill->setEnabled(model && !busy);
    m_step->setEnabled(model && !busy && m_runner->canStep());
    m_step_back->setEnabled(model && !busy && m_runner->canStepBack());
    m_run_to_end->setEnabled(model && !busy && m_runner->canStep());
    m_play->setEnabled(model && (playing || m_runner->canStep()));
    m_stop->setEnabled(busy || playing);
    m_reset->setEnabled(model && !busy && m_trace->recordCount() > 0);
    m_timeline->setEnabled(m_trace->recordCount() > 1);
    {
        const QSignalBlocker block(m_play);
        m_play->setChecked(playing);
    }
    m_play->setText(playing ? tr("Pause") : tr("Play"));
    m_play->setIcon(QApplication::style()->standardIcon(playing ? QStyle::SP_MediaPause
                                                                : QStyle::SP_MediaPlay));
}

}  // namespace kvscope

#include "ui/paging/paging_transport.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace kvscope {

PagingTransport::PagingTransport(QWidget* parent) : QWidget(parent) {
    const auto button = [this](const QString& text, QStyle::StandardPixmap icon,
                               const QString& tip) {
        auto* b = new QToolButton;
        b->setText(text);
        b->setIcon(style()->standardIcon(icon));
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setToolTip(tip);
        return b;
    };
    m_play = button(tr("Play"), QStyle::SP_MediaPlay, tr("Run the simulation on a timer"));
    m_play->setCheckable(true);
    m_step = button(tr("Step"), QStyle::SP_MediaSeekForward, tr("One simulated step"));
    m_reset = button(tr("Reset"), QStyle::SP_MediaSkipBackward,
                     tr("Back to the empty pool before step 0"));
    m_speed = new QSlider(Qt::Horizontal);
    m_speed->setRange(0, 8);  // 2^value steps per tick
    m_speed->setValue(2);
    m_speed->setFixedWidth(90);
    m_speed->setToolTip(tr("Speed: simulated steps per second while playing"));
    m_speed_label = new QLabel;
    m_timer = new QTimer(this);
    m_timer->setInterval(kTickMs);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_play);
    layout->addWidget(m_step);
    layout->addWidget(m_reset);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Speed")));
    layout->addWidget(m_speed);
    layout->addWidget(m_speed_label);

    connect(m_play, &QToolButton::toggled, this, &PagingTransport::setPlaying);
    connect(m_step, &QToolButton::clicked, this, [this] { emit stepRequested(1); });
    connect(m_reset, &QToolButton::clicked, this, [this] {
        setPlaying(false);
        emit resetRequested();
    });
    connect(m_timer, &QTimer::timeout, this, [this] { emit stepRequested(stepsPerTick()); });
    connect(m_speed, &QSlider::valueChanged, this, &PagingTransport::refreshSpeed);
    refreshSpeed();
}

int PagingTransport::stepsPerTick() const {
    return 1 << m_speed->value();
}

void PagingTransport::refreshSpeed() {
    m_speed_label->setText(tr("%1 steps/s").arg(stepsPerTick() * (1000 / kTickMs)));
}

bool PagingTransport::playing() const {
    return m_timer->isActive();
}

void PagingTransport::setPlaying(bool playing) {
    if (playing && !m_step->isEnabled()) playing = false;  // at the end
    if (playing) {
        m_timer->start();
    } else {
        m_timer->stop();
    }
    const bool was = m_play->blockSignals(true);
    m_play->setChecked(playing);
    m_play->setText(playing ? tr("Pause") : tr("Play"));
    m_play->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    m_play->blockSignals(was);
}

void PagingTransport::setAtEnd(bool at_end) {
    m_step->setEnabled(!at_end);
    m_play->setEnabled(!at_end);
    if (at_end) setPlaying(false);
}

}  // namespace kvscope

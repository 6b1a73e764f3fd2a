#pragma once
// The Paging view's own transport: play / pause, step, reset and a speed control for the block
// grid's simulation. Play ticks a QTimer on the GUI thread (a simulated step is microseconds);
// each tick asks for `stepsPerTick()` steps.
#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QSlider;
class QTimer;
class QToolButton;
QT_END_NAMESPACE

namespace kvscope {

class PagingTransport : public QWidget {
    Q_OBJECT
public:
    static constexpr int kTickMs = 40;  // 25 ticks a second

    explicit PagingTransport(QWidget* parent = nullptr);

    void setPlaying(bool playing);
    bool playing() const;
    /// At the end nothing more can be played or stepped.
    void setAtEnd(bool at_end);
    /// Steps per tick: 1, 2, 4, ... 256 from the speed slider.
    int stepsPerTick() const;

    QToolButton* playButton() const { return m_play; }
    QToolButton* stepButton() const { return m_step; }
    QToolButton* resetButton() const { return m_reset; }
    QSlider* speedSlider() const { return m_speed; }

signals:
    void stepRequested(int n_steps);
    void resetRequested();

private:
    void refreshSpeed();

    QToolButton* m_play = nullptr;
    QToolButton* m_step = nullptr;
    QToolButton* m_reset = nullptr;
    QSlider* m_speed = nullptr;
    QLabel* m_speed_label = nullptr;
    QTimer* m_timer = nullptr;
};

}  // namespace kvscope

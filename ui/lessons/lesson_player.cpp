#include "ui/lessons/lesson_player.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>
#include <utility>

#include "core/util/error.h"
#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/lessons/lesson_catalog.h"
#include "ui/widgets/view_parts.h"
#include "ui/window/main_window.h"
#include "ui/window/scenario_io.h"
#include "ui/window/view_settings.h"
#include "ui/window/view_tabs.h"

namespace kvscope {

QString lessonTextHtml(const std::string& text) {
    QString html;
    for (const QString& paragraph :
         QString::fromStdString(text).split(QStringLiteral("\n\n"), Qt::SkipEmptyParts))
        html +=
            QStringLiteral("<p>") + paragraph.trimmed().toHtmlEscaped() + QStringLiteral("</p>");
    return html;
}

LessonPlayer::LessonPlayer(MainWindow& window, QWidget* parent)
    : QWidget(parent), m_window(window) {
    m_title = plainLabel();  // titles come from lesson files: never rendered as HTML
    m_title->setObjectName(QStringLiteral("lesson_title"));
    m_title->setWordWrap(true);
    m_progress = new QProgressBar;
    m_progress->setTextVisible(true);
    m_step_title = plainLabel();
    m_step_title->setObjectName(QStringLiteral("lesson_step_title"));
    m_step_title->setWordWrap(true);
    m_text = new QLabel;
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_text->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_text);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_error_label = plainLabel();
    m_error_label->setWordWrap(true);
    m_error_label->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error_label->hide();

    m_back = new QPushButton(tr("\u2190 Back"));
    m_back->setShortcut(Qt::Key_PageUp);
    m_back->setToolTip(tr("The previous step (Page Up)"));
    m_next = new QPushButton(tr("Next \u2192"));
    m_next->setShortcut(Qt::Key_PageDown);
    m_next->setToolTip(tr("The next step (Page Down, or a presenter's clicker)"));
    m_next->setDefault(true);
    connect(m_back, &QPushButton::clicked, this, &LessonPlayer::back);
    connect(m_next, &QPushButton::clicked, this, &LessonPlayer::next);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_back);
    buttons->addStretch(1);
    buttons->addWidget(m_next);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_progress);
    layout->addSpacing(6);
    layout->addWidget(m_step_title);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_error_label);
    layout->addLayout(buttons);
    updateFonts();
    render();
}

bool LessonPlayer::openLesson(const QString& path) {
    Lesson lesson;
    try {
        lesson = loadLesson(path);
    } catch (const InputError& e) {
        m_error = QString::fromStdString(e.what());
        render();
        return false;
    }
    std::optional<Lesson> previous = std::exchange(m_lesson, std::move(lesson));
    const int previous_index = std::exchange(m_index, -1);
    m_applied.reset();
    goTo(0);
    if (m_error.isEmpty()) return true;
    // Its first step cannot be set up (nothing was started): the lesson that was open stays.
    const QString error = m_error;
    m_lesson = std::move(previous);
    m_index = std::max(previous_index, 0);
    render();
    m_error = error;
    m_error_label->setText(error);
    m_error_label->setVisible(true);
    return false;
}

void LessonPlayer::goTo(int index) {
    if (!m_lesson) return;
    index = std::clamp(index, 0, stepCount() - 1);
    if (index == m_index && m_error.isEmpty()) return;
    m_index = index;
    m_error.clear();
    apply(m_lesson->steps[std::size_t(index)]);
    render();
    emit stepShown(index);
}

void LessonPlayer::next() {
    goTo(m_index + 1);
}

void LessonPlayer::back() {
    goTo(m_index - 1);
}

void LessonPlayer::apply(const LessonStep& step) {
    const ScenarioFile& state = step.state;
    TraceModel& trace = *m_window.trace();
    const bool same_run =
        m_applied && *m_applied == state.scenario && trace.recordCount() > 0 &&
        m_window.trace()->reference() == QString::fromStdString(state.scenario.model);
    if (!same_run) {  // load the model, prefill, run the steps, show the view
        if (const QString error = applyScenario(m_window, state); !error.isEmpty()) {
            m_error = error;
            return;
        }
        m_applied = state.scenario;
        return;
    }
    // The same run: show the prefill and `steps` decode steps, running the ones still missing.
    const int n_shown = 1 + int(state.steps);
    if (trace.recordCount() >= n_shown) {
        trace.setCursor(n_shown);
    } else {
        m_window.runner()->runToEnd(n_shown - trace.recordCount());
    }
    if (const QString error = applyViewSettings(*m_window.views(), state); !error.isEmpty())
        m_error = error;
}

bool LessonPlayer::waitUntilIdle(int timeout_ms) {
    if (!m_window.waitUntilIdle(timeout_ms)) return false;
    return waitForView(*m_window.views(), timeout_ms);
}

void LessonPlayer::render() {
    m_error_label->setVisible(!m_error.isEmpty());
    m_error_label->setText(m_error);
    if (!m_lesson) {
        m_title->setText(tr("No lesson open"));
        m_step_title->setText(tr("Choose one from the Lessons menu."));
        m_text->clear();
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_progress->setFormat(QString());
        m_back->setEnabled(false);
        m_next->setEnabled(false);
        return;
    }
    const LessonStep& step = m_lesson->steps[std::size_t(m_index)];
    m_title->setText(QString::fromStdString(m_lesson->title));
    m_progress->setRange(0, stepCount());
    m_progress->setValue(m_index + 1);
    m_progress->setFormat(tr("Step %1 of %2").arg(m_index + 1).arg(stepCount()));
    m_step_title->setText(QString::fromStdString(step.title));
    m_text->setText(lessonTextHtml(step.text));
    m_back->setEnabled(m_index > 0);
    m_next->setEnabled(m_index + 1 < stepCount());
}

void LessonPlayer::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) updateFonts();
}

void LessonPlayer::updateFonts() {
    // Relative to the window's font, so presenter mode (Ctrl+= / Ctrl+-) scales the lesson too.
    QFont title = font();
    title.setPointSizeF(font().pointSizeF() * 1.35);
    title.setBold(true);
    m_title->setFont(title);
    QFont step = font();
    step.setPointSizeF(font().pointSizeF() * 1.15);
    step.setBold(true);
    m_step_title->setFont(step);
}

}  // namespace kvscope

#include "ui/widgets/run_controls.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/style/chart_style.h"

namespace kvscope {

RunControls::RunControls(const QString& run_text, const QString& run_tooltip, QWidget* parent)
    : QWidget(parent) {
    m_run = new QPushButton(run_text);
    m_run->setDefault(true);
    m_run->setToolTip(run_tooltip);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setEnabled(false);
    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_run, 1);
    buttons->addWidget(m_cancel);

    m_progress = new QProgressBar;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("idle"));
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setVisible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_message);

    connect(m_run, &QPushButton::clicked, this, &RunControls::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &RunControls::cancelRequested);
}

void RunControls::showRunning(int done, int total, const QString& what) {
    m_run->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setRange(0, total);
    m_progress->setValue(done);
    m_progress->setFormat(tr("%1 (%2 of %3 done)").arg(what).arg(done).arg(total));
}

void RunControls::showIdle(const QString& text, bool done) {
    m_run->setEnabled(true);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(done ? 1 : 0);
    m_progress->setFormat(text.isEmpty() ? tr("idle") : text);
}

void RunControls::showMessage(const QString& text, bool error) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    QPalette palette = m_message->palette();
    palette.setColor(QPalette::WindowText, error ? errorColor(this->palette())
                                                 : this->palette().color(QPalette::WindowText));
    m_message->setPalette(palette);
}

QString RunControls::message() const {
    return m_message->text();
}

}  // namespace kvscope

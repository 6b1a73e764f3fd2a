#include "ui/widgets/comparison_controls.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/style/chart_style.h"

namespace kvscope {

ComparisonControls::ComparisonControls(const QString& run_text, const QString& run_tooltip,
                                       int steps, const QString& steps_tooltip, QWidget* parent)
    : QWidget(parent) {
    m_prompt = new QLineEdit;
    m_prompt->setPlaceholderText(tr("the prompt (BOS is put in front)"));
    m_prompt->setToolTip(tr("Follows the Scenario panel's prompt; edit it here for this view"));
    m_steps = new QSpinBox;
    m_steps->setRange(1, 1'000'000);  // beyond any context: a too-long run gets a message
    m_steps->setValue(steps);
    m_steps->setSuffix(tr(" tokens"));
    m_steps->setToolTip(steps_tooltip);

    m_form = new QFormLayout;
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->addRow(tr("Prompt"), m_prompt);
    m_form->addRow(tr("Steps"), m_steps);

    m_run = new QPushButton(run_text);
    m_run->setDefault(true);
    m_run->setToolTip(run_tooltip);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setEnabled(false);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("idle"));
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setVisible(false);

    connect(m_run, &QPushButton::clicked, this, &ComparisonControls::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &ComparisonControls::cancelRequested);
    connect(m_prompt, &QLineEdit::returnPressed, this, &ComparisonControls::runRequested);
}

void ComparisonControls::finishLayout() {
    // Installed last: the widgets join this one in the form's order, which is the tab order.
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_form);
    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_run, 1);
    buttons->addWidget(m_cancel);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_message);
}

void ComparisonControls::addRow(const QString& label, QWidget* field) {
    m_form->insertRow(m_form->rowCount() - 1, label, field);
}

void ComparisonControls::addRow(const QString& label, QLayout* field) {
    m_form->insertRow(m_form->rowCount() - 1, label, field);
}

void ComparisonControls::addRow(QWidget* spanning) {
    m_form->insertRow(m_form->rowCount() - 1, spanning);
}

std::int64_t ComparisonControls::steps() const {
    return m_steps->value();
}

void ComparisonControls::setSteps(std::int64_t steps) {
    m_steps->setValue(int(steps));
}

QString ComparisonControls::prompt() const {
    return m_prompt->text();
}

void ComparisonControls::setPrompt(const QString& text) {
    m_prompt->setText(text);
}

void ComparisonControls::showRunning(int done, int total, const QString& what) {
    m_run->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setRange(0, total);
    m_progress->setValue(done);
    m_progress->setFormat(tr("%1 (%2 of %3 done)").arg(what).arg(done).arg(total));
}

void ComparisonControls::showIdle(const QString& text, bool done) {
    m_run->setEnabled(true);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(done ? 1 : 0);
    m_progress->setFormat(text.isEmpty() ? tr("idle") : text);
}

void ComparisonControls::showMessage(const QString& text, bool error) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    QPalette palette = m_message->palette();
    palette.setColor(QPalette::WindowText, error ? errorColor(this->palette())
                                                 : this->palette().color(QPalette::WindowText));
    m_message->setPalette(palette);
}

QString ComparisonControls::message() const {
    return m_message->text();
}

}  // namespace kvscope

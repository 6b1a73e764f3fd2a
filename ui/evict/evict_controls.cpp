#include "ui/evict/evict_controls.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/widgets/eviction_controls.h"
#include "ui/widgets/run_controls.h"

namespace kvscope {

EvictControls::EvictControls(QWidget* parent) : QWidget(parent) {
    m_prompt = new QLineEdit;
    m_prompt->setPlaceholderText(tr("the prompt (BOS is put in front)"));
    m_prompt->setToolTip(tr("Follows the Scenario panel's prompt; edit it here for this view"));
    m_eviction = new EvictionControls;
    m_layout = new QComboBox;
    m_layout->addItem(tr("paged blocks of 16"), int(CacheLayout::Paged));
    m_layout->addItem(tr("contiguous"), int(CacheLayout::Contiguous));
    m_layout->setToolTip(
        tr("Paged: a block is handed back once no entry in it is held, so the allocation "
           "flattens too. Contiguous: the whole context is reserved from the start"));
    m_steps = new QSpinBox;
    m_steps->setRange(1, 1'000'000);  // beyond any context: a too-long run gets a message
    m_steps->setValue(64);
    m_steps->setSuffix(tr(" tokens"));
    m_steps->setToolTip(
        tr("The full cache's greedy continuation of the prompt: the teacher-forced tokens both "
           "caches see, and the free-generation steps"));

    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Prompt"), m_prompt);
    form->addRow(m_eviction);
    form->addRow(tr("Layout"), m_layout);
    form->addRow(tr("Steps"), m_steps);

    m_run_row = new RunControls(
        tr("Run vs full cache"),
        tr("Run the bounded cache beside the full one on the Generate view's model (on a worker "
           "thread)"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(m_run_row);

    connect(m_run_row, &RunControls::runRequested, this, &EvictControls::runRequested);
    connect(m_run_row, &RunControls::cancelRequested, this, &EvictControls::cancelRequested);
    connect(m_prompt, &QLineEdit::returnPressed, this, &EvictControls::runRequested);
}

std::int64_t EvictControls::steps() const {
    return m_steps->value();
}

void EvictControls::setSteps(std::int64_t steps) {
    m_steps->setValue(int(steps));
}

QString EvictControls::prompt() const {
    return m_prompt->text();
}

void EvictControls::setPrompt(const QString& text) {
    m_prompt->setText(text);
}

CacheLayout EvictControls::layout() const {
    return CacheLayout(m_layout->currentData().toInt());
}

void EvictControls::showRunning(int done, int total, const QString& what) {
    m_run_row->showRunning(done, total, what);
}

void EvictControls::showIdle(const QString& text, bool done) {
    m_run_row->showIdle(text, done);
}

void EvictControls::showMessage(const QString& text, bool error) {
    m_run_row->showMessage(text, error);
}

QString EvictControls::message() const {
    return m_run_row->message();
}

QPushButton* EvictControls::runButton() const {
    return m_run_row->runButton();
}

QPushButton* EvictControls::cancelButton() const {
    return m_run_row->cancelButton();
}

QProgressBar* EvictControls::progressBar() const {
    return m_run_row->progressBar();
}

}  // namespace kvscope

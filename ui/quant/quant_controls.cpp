#include "ui/quant/quant_controls.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/cache/kv_dtype.h"
#include "ui/widgets/run_controls.h"

namespace kvscope {

namespace {

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

/// Every format the cache stores, with its layout line as the tooltip; data = the KvDtype.
QComboBox* dtypeBox(bool with_kivi) {
    auto* box = new QComboBox;
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(8);
    for (const KvDtypeInfo& info : kvDtypes()) {
        if (!with_kivi && info.dtype == KvDtype::KIVI2) continue;
        box->addItem(fromView(info.name), int(info.dtype));
        box->setItemData(box->count() - 1, fromView(info.layout), Qt::ToolTipRole);
    }
    return box;
}

KvDtype dtypeOf(const QComboBox& box) {
    return KvDtype(box.currentData().toInt());
}

void select(QComboBox& box, KvDtype dtype) {
    const int index = box.findData(int(dtype));
    if (index >= 0) box.setCurrentIndex(index);
}

QSpinBox* tokenBox(int value, int min, const QString& special) {
    auto* box = new QSpinBox;
    box->setRange(min, 1'000'000);  // beyond any context: a too-long window gets a message
    box->setValue(value);
    box->setSuffix(QObject::tr(" tokens"));
    if (!special.isEmpty()) box->setSpecialValueText(special);
    return box;
}

}  // namespace

QuantControls::QuantControls(QWidget* parent) : QWidget(parent) {
    m_prompt = new QLineEdit;
    m_prompt->setPlaceholderText(tr("the prompt (BOS is put in front)"));
    m_prompt->setToolTip(tr("Follows the Scenario panel's prompt; edit it here for this view"));
    m_key = dtypeBox(true);
    m_value = dtypeBox(true);
    select(*m_key, KvDtype::INT8);
    select(*m_value, KvDtype::INT4);
    m_window = tokenBox(0, 0, tr("off"));
    m_window->setToolTip(
        tr("Mixed precision: the last W tokens stay in the high-precision dtype, older ones are "
           "stored in the codec above (0 = off)"));
    m_window->setMinimumWidth(90);  // not as wide as its range's 7 digits: the row stays narrow
    m_window_dtype = dtypeBox(false);
    m_window_dtype->setMaximumWidth(90);
    select(*m_window_dtype, KvDtype::F16);
    m_window_dtype->setToolTip(tr("The dtype of the recent window"));
    m_kivi = tokenBox(int(kKiviDefaultWindow), 0, QString());
    m_kivi->setToolTip(
        tr("kivi2's residual: the last R tokens stay fp16 until a group of 32 fills"));
    m_steps = tokenBox(48, 1, QString());
    m_steps->setToolTip(
        tr("fp32's greedy continuation of the prompt: the teacher-forced tokens both caches see, "
           "and the free-generation steps"));

    auto* window_row = new QHBoxLayout;
    window_row->setContentsMargins(0, 0, 0, 0);
    window_row->addWidget(m_window, 1);
    window_row->addWidget(new QLabel(tr("in")));
    window_row->addWidget(m_window_dtype);

    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Prompt"), m_prompt);
    form->addRow(tr("K codec"), m_key);
    form->addRow(tr("V codec"), m_value);
    form->addRow(tr("Window"), window_row);
    form->addRow(tr("KIVI R"), m_kivi);
    form->addRow(tr("Steps"), m_steps);

    m_run_row = new RunControls(tr("Run vs fp32"),
                                tr("Run the chosen cache beside the fp32 reference on the "
                                   "Generate view's model (on a worker thread)"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(m_run_row);

    connect(m_run_row, &RunControls::runRequested, this, &QuantControls::runRequested);
    connect(m_run_row, &RunControls::cancelRequested, this, &QuantControls::cancelRequested);
    connect(m_prompt, &QLineEdit::returnPressed, this, &QuantControls::runRequested);
    for (QComboBox* box : {m_key, m_value})
        connect(box, &QComboBox::currentIndexChanged, this, &QuantControls::updateEnabled);
    updateEnabled();
}

KvCacheSpec QuantControls::spec() const {
    KvCacheSpec spec;
    spec.k_dtype = dtypeOf(*m_key);
    spec.v_dtype = dtypeOf(*m_value);
    spec.recent_window = m_window->isEnabled() ? m_window->value() : 0;
    spec.recent_dtype = dtypeOf(*m_window_dtype);
    spec.kivi_window = m_kivi->value();
    return spec;
}

void QuantControls::setSpec(const KvCacheSpec& spec) {
    select(*m_key, spec.k_dtype);
    select(*m_value, spec.v_dtype);
    m_window->setValue(int(spec.recent_window));
    select(*m_window_dtype, spec.recent_dtype);
    m_kivi->setValue(int(spec.kivi_window));
    updateEnabled();
}

std::int64_t QuantControls::steps() const {
    return m_steps->value();
}

void QuantControls::setSteps(std::int64_t steps) {
    m_steps->setValue(int(steps));
}

QString QuantControls::prompt() const {
    return m_prompt->text();
}

void QuantControls::setPrompt(const QString& text) {
    m_prompt->setText(text);
}

// The window applies to a codec other than kivi2 (which has R); R only when kivi2 is chosen.
void QuantControls::updateEnabled() {
    const bool k_kivi = dtypeOf(*m_key) == KvDtype::KIVI2;
    const bool v_kivi = dtypeOf(*m_value) == KvDtype::KIVI2;
    m_window->setEnabled(!(k_kivi && v_kivi));
    m_window_dtype->setEnabled(!(k_kivi && v_kivi));
    m_kivi->setEnabled(k_kivi || v_kivi);
}

void QuantControls::showRunning(int done, int total, const QString& what) {
    m_run_row->showRunning(done, total, what);
}

void QuantControls::showIdle(const QString& text, bool done) {
    m_run_row->showIdle(text, done);
}

void QuantControls::showMessage(const QString& text, bool error) {
    m_run_row->showMessage(text, error);
}

QString QuantControls::message() const {
    return m_run_row->message();
}

QPushButton* QuantControls::runButton() const {
    return m_run_row->runButton();
}

QPushButton* QuantControls::cancelButton() const {
    return m_run_row->cancelButton();
}

QProgressBar* QuantControls::progressBar() const {
    return m_run_row->progressBar();
}

}  // namespace kvscope

#include "ui/quant/quant_controls.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>

#include "core/cache/kv_dtype.h"

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

QuantControls::QuantControls(QWidget* parent)
    : ComparisonControls(tr("Run vs fp32"),
                         tr("Run the chosen cache beside the fp32 reference on the Generate "
                            "view's model (on a worker thread)"),
                         48,
                         tr("fp32's greedy continuation of the prompt: the teacher-forced tokens "
                            "both caches see, and the free-generation steps"),
                         parent) {
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
    auto* window_row = new QHBoxLayout;
    window_row->setContentsMargins(0, 0, 0, 0);
    window_row->addWidget(m_window, 1);
    window_row->addWidget(new QLabel(tr("in")));
    window_row->addWidget(m_window_dtype);

    addRow(tr("K codec"), m_key);
    addRow(tr("V codec"), m_value);
    addRow(tr("Window"), window_row);
    addRow(tr("KIVI R"), m_kivi);
    finishLayout();
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

// The window applies to a codec other than kivi2 (which has R); R only when kivi2 is chosen.
void QuantControls::updateEnabled() {
    const bool k_kivi = dtypeOf(*m_key) == KvDtype::KIVI2;
    const bool v_kivi = dtypeOf(*m_value) == KvDtype::KIVI2;
    m_window->setEnabled(!(k_kivi && v_kivi));
    m_window_dtype->setEnabled(!(k_kivi && v_kivi));
    m_kivi->setEnabled(k_kivi || v_kivi);
}

}  // namespace kvscope

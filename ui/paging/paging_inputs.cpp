#include "ui/paging/paging_inputs.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <climits>

#include "ui/style/chart_style.h"

namespace kvscope {

using sim::PagingField;
using sim::PolicyKind;
using sim::WorkloadPreset;

QString pagingPolicyLabel(PolicyKind policy, std::int64_t block_size, bool short_form) {
    switch (policy) {
        case PolicyKind::ContiguousMax:
            return (short_form ? QObject::tr("contiguous, max (%1)")
                               : QObject::tr("contiguous, max length (%1)"))
                .arg(sim::kPagingMaxSeq);
        case PolicyKind::ContiguousExact:
            return short_form ? QObject::tr("contiguous, exact (oracle)")
                              : QObject::tr("contiguous, exact length (oracle)");
        case PolicyKind::Paged:
            return QObject::tr("paged, block %1").arg(block_size);
        case PolicyKind::PagedPrefix:
            return QObject::tr("paged + prefix sharing");
    }
    return {};
}

PagingInputs::PagingInputs(QWidget* parent) : QWidget(parent) {
    m_preset = new QComboBox;
    m_preset->addItem(tr("ShareGPT-like"), int(WorkloadPreset::ShareGptLike));
    m_preset->addItem(tr("fixed 256 + 256"), int(WorkloadPreset::Fixed));
    m_preset->addItem(tr("uniform 1..512"), int(WorkloadPreset::Uniform));
    m_preset->setToolTip(
        tr("Prompt and output lengths. ShareGPT-like: lognormal, prompt median 160 and output "
           "median 200 tokens, a heavy right tail. Fixed: 256 + 256. Uniform: each in 1..512. "
           "Prompt + output at most %1 tokens.")
            .arg(sim::kPagingMaxSeq));
    m_requests = new QSpinBox;
    m_requests->setRange(0, 1'000'000);
    m_requests->setToolTip(tr("Requests, all arriving at step 0"));
    m_seed = new QSpinBox;
    m_seed->setRange(0, INT_MAX);
    m_system = new QSpinBox;
    m_system->setRange(0, 100'000);
    m_system->setSuffix(tr(" tokens"));
    m_system->setToolTip(
        tr("A system prompt shared by some requests (prefix sharing reuses its "
           "full blocks)"));
    m_fraction = new QDoubleSpinBox;
    m_fraction->setRange(0.0, 1.0);
    m_fraction->setSingleStep(0.1);
    m_fraction->setDecimals(2);
    m_fraction->setToolTip(tr("The share of requests whose prompt starts with the system prompt"));
    m_policy = new QComboBox;
    m_policy->setToolTip(tr("The allocation policy whose blocks the grid shows"));
    m_block = new QSpinBox;
    m_block->setRange(0, 4096);
    m_block->setSuffix(tr(" tokens"));
    m_block->setToolTip(
        tr("Token slots per block (1..128); the grid's cells have this size for "
           "every policy"));
    m_budget = new QSpinBox;
    m_budget->setRange(0, 10'000'000);
    m_budget->setSuffix(tr(" blocks"));
    m_budget->setToolTip(tr("The KV memory budget, the same for every policy"));
    m_slots = new QLabel;

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Workload"), m_preset);
    form->addRow(tr("Requests"), m_requests);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("System prompt"), m_system);
    form->addRow(tr("Shared by"), m_fraction);
    form->addRow(tr("Block size"), m_block);
    form->addRow(tr("KV budget"), m_budget);
    form->addRow(QString(), m_slots);

    setScenario(sim::PagingScenario{});
    const auto emitChanged = [this] {
        refreshLabels();
        if (!m_setting) emit changed();
    };
    connect(m_preset, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_policy, &QComboBox::currentIndexChanged, this, emitChanged);
    for (QSpinBox* spin : {m_requests, m_seed, m_system, m_block, m_budget})
        connect(spin, &QSpinBox::valueChanged, this, emitChanged);
    connect(m_fraction, &QDoubleSpinBox::valueChanged, this, emitChanged);
}

sim::PagingScenario PagingInputs::scenario() const {
    sim::PagingScenario s;
    s.preset = WorkloadPreset(m_preset->currentData().toInt());
    s.n_requests = m_requests->value();
    s.seed = std::uint64_t(m_seed->value());
    s.system_prompt = m_system->value();
    s.shared_fraction = m_fraction->value();
    s.block_size = m_block->value();
    s.budget_blocks = m_budget->value();
    s.shown = PolicyKind(m_policy->currentData().toInt());
    return s;
}

void PagingInputs::setScenario(const sim::PagingScenario& s) {
    m_setting = true;
    m_preset->setCurrentIndex(m_preset->findData(int(s.preset)));
    m_requests->setValue(int(s.n_requests));
    m_seed->setValue(int(s.seed));
    m_system->setValue(int(s.system_prompt));
    m_fraction->setValue(s.shared_fraction);
    m_block->setValue(int(s.block_size));
    m_budget->setValue(int(s.budget_blocks));
    refreshLabels();
    m_policy->setCurrentIndex(m_policy->findData(int(s.shown)));
    m_setting = false;
    emit changed();
}

void PagingInputs::refreshLabels() {
    // The policy names carry the block size.
    for (PolicyKind p : sim::kPagingPolicies) {
        const QString label = pagingPolicyLabel(p, m_block->value());
        const int index = m_policy->findData(int(p));
        if (index < 0) {
            m_policy->addItem(label, int(p));
        } else if (m_policy->itemText(index) != label) {
            m_policy->setItemText(index, label);
        }
    }
    const sim::SimConfig config = sim::pagingSimConfig(scenario(), PolicyKind::Paged);
    m_slots->setText(
        tr("= %1 token slots").arg(QLocale(QLocale::English).toString(qlonglong(config.kv_slots))));
}

QWidget* PagingInputs::fieldWidget(PagingField field) const {
    switch (field) {
        case PagingField::Requests:
            return m_requests;
        case PagingField::SystemPrompt:
            return m_system;
        case PagingField::SharedFraction:
            return m_fraction;
        case PagingField::BlockSize:
            return m_block;
        case PagingField::Budget:
            return m_budget;
    }
    return nullptr;
}

void PagingInputs::markField(std::optional<PagingField> field) {
    QWidget* widget = field ? fieldWidget(*field) : nullptr;
    if (m_marked && m_marked != widget) m_marked->setPalette(QPalette());
    m_marked = widget;
    if (!widget) return;
    QPalette tinted = palette();
    for (QPalette::ColorRole role : {QPalette::Base, QPalette::Button})
        tinted.setColor(role, mixColors(palette().color(role), errorColor(palette()), 0.22));
    widget->setPalette(tinted);
}

}  // namespace kvscope

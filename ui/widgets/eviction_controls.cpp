#include "ui/widgets/eviction_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <limits>

#include "core/memory/bounded_cache.h"
#include "core/memory/live_cache_spec.h"
#include "core/memory/model_shape.h"
#include "core/util/error.h"
#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"
#include "ui/widgets/count_edit.h"

namespace kvscope {

namespace {

QString nameOf(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

/// The core's messages name the CLI's flags; the panel names its fields.
QString fieldWords(QString message) {
    const std::pair<const char*, const char*> names[] = {
        {"--budget", "Budget"}, {"--sinks", "Sinks"}, {"--window", "Window"}, {"--pool", "Pool"}};
    for (const auto& [flag, field] : names)
        message.replace(QString::fromLatin1(flag), QString::fromLatin1(field));
    return message;
}

}  // namespace

EvictionControls::EvictionControls(QWidget* parent) : QWidget(parent) {
    m_policy = new QComboBox;
    const std::pair<EvictionPolicy, QString> policies[] = {
        {EvictionPolicy::Full, tr("full: keep everything")},
        {EvictionPolicy::Window, tr("window: the most recent")},
        {EvictionPolicy::Streaming, tr("streaming: sinks + recent")},
        {EvictionPolicy::H2O, tr("h2o: heavy hitters + recent")},
        {EvictionPolicy::Tova, tr("tova: the last query's top")},
        {EvictionPolicy::SnapKV, tr("snapkv: compress the prompt")},
        {EvictionPolicy::KNorm, tr("knorm: lowest key norms")},
    };
    for (const auto& [policy, text] : policies)
        m_policy->addItem(text, nameOf(toString(policy)));
    m_policy->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_policy->setMinimumContentsLength(10);
    m_policy->setToolTip(
        tr("Which entries a bounded cache keeps when it is full (README: A bounded cache)"));

    m_budget = new CountEdit(64);
    m_budget->setToolTip(
        tr("Entries each layer holds at most (tokens), or the K + V bytes of all layers at the "
           "cache's precision; 2k = 2048"));
    m_unit = new QComboBox;
    m_unit->addItem(tr("tokens"), false);
    m_unit->addItem(tr("bytes"), true);
    m_unit->setToolTip(
        tr("Bytes: the most tokens those bytes hold at the precision chosen above (8-bit entries "
           "hold twice the tokens of 16-bit ones)"));
    auto* budget_row = new QHBoxLayout;
    budget_row->setContentsMargins(0, 0, 0, 0);
    budget_row->addWidget(m_budget, 1);
    budget_row->addWidget(m_unit);

    m_sinks = new QSpinBox;
    m_sinks->setRange(0, 1 << 20);
    m_sinks->setValue(4);
    m_sinks->setToolTip(tr("streaming: the first positions, always kept (attention sinks)"));
    m_window = new QSpinBox;
    m_window->setRange(0, 1 << 20);
    m_window->setSpecialValueText(tr("default"));
    m_window->setToolTip(
        tr("h2o: the recent entries kept (default budget / 2); snapkv: the observation window "
           "(default min(32, budget / 4))"));
    m_positions = new QComboBox;
    m_positions->addItem(tr("original (H2O, SnapKV)"), QStringLiteral("original"));
    m_positions->addItem(tr("re-rotated (StreamingLLM)"), QStringLiteral("rerotate"));
    m_positions->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_positions->setMinimumContentsLength(10);
    m_positions->setToolTip(
        tr("Original: every key keeps the RoPE position it had. Re-rotated: keys are rotated to "
           "their slot inside the cache after each eviction"));
    m_shape = new QComboBox;
    m_shape->addItem(tr("uniform"), QStringLiteral("uniform"));
    m_shape->addItem(tr("pyramid (PyramidKV)"), QStringLiteral("pyramid"));
    m_shape->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_shape->setMinimumContentsLength(5);
    m_shape->setToolTip(
        tr("Budget per layer: the same everywhere, or 1.5x in layer 0 down to 0.5x in the last "
           "(the same total)"));
    m_per_head = new QCheckBox(tr("per KV head"));
    m_per_head->setToolTip(
        tr("h2o, tova, snapkv, knorm: each KV head keeps its own entries, scored by the sum over "
           "its GQA query group (the heads' struck tokens then differ); off: one set per layer"));
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    m_message->hide();

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Policy"), m_policy);
    form->addRow(tr("Budget"), budget_row);
    form->addRow(tr("Sinks"), m_sinks);
    form->addRow(tr("Window"), m_window);
    form->addRow(tr("Positions"), m_positions);
    // The shape and per-head choice share a row: the Eviction view's column is short of height.
    auto* shape_row = new QHBoxLayout;
    shape_row->setContentsMargins(0, 0, 0, 0);
    shape_row->addWidget(m_shape, 1);
    shape_row->addWidget(m_per_head);
    form->addRow(tr("Shape"), shape_row);
    form->addRow(m_message);

    auto changed = [this] {
        updateEnabled();
        emit this->changed();
    };
    connect(m_policy, &QComboBox::currentIndexChanged, this, changed);
    connect(m_unit, &QComboBox::currentIndexChanged, this, changed);
    connect(m_positions, &QComboBox::currentIndexChanged, this, changed);
    connect(m_shape, &QComboBox::currentIndexChanged, this, changed);
    connect(m_budget, &QLineEdit::editingFinished, this, changed);
    connect(m_sinks, &QSpinBox::valueChanged, this, changed);
    connect(m_window, &QSpinBox::valueChanged, this, changed);
    connect(m_per_head, &QCheckBox::toggled, this, changed);
    updateEnabled();
}

EvictionPolicy EvictionControls::policy() const {
    return parseEvictionPolicy(m_policy->currentData().toString().toStdString(), "policy");
}

void EvictionControls::updateEnabled() {
    const EvictionPolicy p = policy();
    const bool bounded = p != EvictionPolicy::Full;
    m_budget->setEnabled(bounded);
    m_unit->setEnabled(bounded);
    m_sinks->setEnabled(p == EvictionPolicy::Streaming);
    m_window->setEnabled(p == EvictionPolicy::H2O || p == EvictionPolicy::SnapKV);
    m_positions->setEnabled(bounded);
    m_shape->setEnabled(bounded);
    EvictionSpec head_wise;
    head_wise.policy = p;
    head_wise.per_head = true;
    m_per_head->setEnabled(head_wise.headWise());
}

void EvictionControls::setModel(const ModelConfig& config, std::int64_t max_context) {
    m_config = config;
    m_max_context = max_context;
}

std::int64_t EvictionControls::budgetBytes() const {
    if (!m_unit->currentData().toBool()) return 0;
    return std::max<std::int64_t>(m_budget->value().value_or(0), 0);
}

EvictionSpec EvictionControls::spec(const KvCacheSpec& codecs) const {
    EvictionSpec spec;
    spec.policy = policy();
    spec.sinks = m_sinks->value();
    spec.window = m_window->value();
    spec.pool = m_pool;
    spec.positions =
        parseEvictionPositions(m_positions->currentData().toString().toStdString(), "Positions");
    spec.shape = parseBudgetShape(m_shape->currentData().toString().toStdString(), "Shape");
    spec.per_head = m_per_head->isEnabled() && m_per_head->isChecked();
    if (!spec.bounded()) return spec;
    const std::optional<std::int64_t> budget = m_budget->value();
    if (!budget)
        throw InputError("Budget: '" + m_budget->text().toStdString() +
                         "' is not a whole number (64, 2,048 or 2k)");
    if (*budget < 1)
        throw InputError("Budget: a bounded cache needs a budget of at least 1, got " +
                         std::to_string(*budget));
    if (!m_unit->currentData().toBool()) {
        spec.budget = *budget;
    } else if (m_config.n_layers > 0) {
        const CacheSpec cache = estimatorCacheSpec(codecs, CacheLayout::Contiguous, 16,
                                                   std::max<std::int64_t>(m_max_context, 1));
        spec.budget =
            budgetTokensForBytes(shapeFromModelConfig(m_config, "model"), cache, *budget, "Budget");
    } else {
        spec.budget = std::max<std::int64_t>(m_fallback_tokens, 1);
    }
    try {
        checkEvictionSpec(
            spec, m_max_context > 0 ? m_max_context : std::numeric_limits<std::int64_t>::max());
    } catch (const InputError& e) {
        throw InputError(fieldWords(QString::fromUtf8(e.what())).toStdString());
    }
    return spec;
}

QString EvictionControls::check(const KvCacheSpec& codecs) {
    QString error;
    QString note;
    try {
        const EvictionSpec s = spec(codecs);
        if (s.bounded() && budgetBytes() > 0)
            note = tr("%1 hold %2 tokens per layer").arg(bytesText(budgetBytes())).arg(s.budget);
    } catch (const InputError& e) {
        error = QString::fromUtf8(e.what());
    }
    const QString shown = error.isEmpty() ? note : error;
    m_message->setText(shown);
    QPalette palette = m_message->palette();
    palette.setColor(QPalette::WindowText, error.isEmpty()
                                               ? this->palette().color(QPalette::WindowText)
                                               : errorColor(this->palette()));
    m_message->setPalette(palette);
    m_message->setVisible(!shown.isEmpty());
    return error;
}

void EvictionControls::setSpec(const EvictionSpec& spec, std::int64_t budget_bytes) {
    const QSignalBlocker blocks[] = {QSignalBlocker(m_policy), QSignalBlocker(m_unit),
                                     QSignalBlocker(m_budget), QSignalBlocker(m_sinks),
                                     QSignalBlocker(m_window), QSignalBlocker(m_positions),
                                     QSignalBlocker(m_shape),  QSignalBlocker(m_per_head)};
    m_policy->setCurrentIndex(m_policy->findData(nameOf(toString(spec.policy))));
    m_unit->setCurrentIndex(budget_bytes > 0 ? 1 : 0);
    m_budget->setValue(budget_bytes > 0 ? budget_bytes : std::max<std::int64_t>(spec.budget, 1));
    m_fallback_tokens = spec.budget;
    m_sinks->setValue(int(std::min<std::int64_t>(spec.sinks, m_sinks->maximum())));
    m_window->setValue(int(std::min<std::int64_t>(spec.window, m_window->maximum())));
    m_positions->setCurrentIndex(m_positions->findData(nameOf(toString(spec.positions))));
    m_shape->setCurrentIndex(m_shape->findData(nameOf(toString(spec.shape))));
    m_per_head->setChecked(spec.per_head);
    m_pool = spec.pool;
    updateEnabled();
}

}  // namespace kvscope

#include "ui/window/scenario_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <QVBoxLayout>
#include <algorithm>

#include "core/engine/activation_scheme.h"
#include "core/engine/backend_select.h"
#include "core/model/model_source.h"
#include "core/util/error.h"
#include "ui/engine/session_worker.h"
#include "ui/widgets/eviction_controls.h"

namespace kvscope {

ScenarioPanel::ScenarioPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(buildModelGroup());
    layout->addWidget(buildSamplingGroup());
    layout->addWidget(buildCacheGroup());
    layout->addWidget(buildEvictionGroup());
    layout->addStretch();
}

QWidget* ScenarioPanel::buildModelGroup() {
    m_model = new QComboBox;
    for (const std::string& name : builtinModelNames())
        m_model->addItem(QString::fromStdString(name), QString::fromStdString(name));
    m_n_builtin = m_model->count();
    m_model->setToolTip(tr("The model to run; changing it starts over"));
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(10);
    connect(m_model, &QComboBox::activated, this, [this] { emit modelChosen(modelReference()); });
    m_open = new QPushButton(tr("Open\u2026"));
    m_open->setToolTip(
        tr("Open a GGUF or llama2.c model file (Ctrl+O); or drop one on the window"));
    connect(m_open, &QPushButton::clicked, this, &ScenarioPanel::openFileRequested);
    auto* model_row = new QHBoxLayout;
    model_row->addWidget(m_model, 1);
    model_row->addWidget(m_open);

    m_prompt = new QPlainTextEdit;
    m_prompt->setPlaceholderText(tr("Type a prompt, then Prefill (Ctrl+Return)"));
    m_prompt->setTabChangesFocus(true);
    m_prompt->setFixedHeight(m_prompt->fontMetrics().lineSpacing() * 4 + 12);

    m_max_new = new QSpinBox;
    m_max_new->setRange(1, 100000);
    m_max_new->setValue(64);
    m_max_new->setToolTip(tr("Decode steps Run to end takes (it also stops at the context limit)"));

    m_threads = new QSpinBox;
    const int n_default = SessionWorker::defaultThreads();
    m_threads->setRange(1, std::max(n_default, QThread::idealThreadCount()));
    m_threads->setValue(n_default);
    m_threads->setToolTip(
        tr("CPU threads of the engine's matrix products and attention (kvscope --threads); "
           "changing it reopens the session"));
    connect(m_threads, &QSpinBox::valueChanged, this, &ScenarioPanel::threadsChanged);

    auto* group = new QGroupBox(tr("Model and prompt"));
    auto* form = new QFormLayout(group);
    form->addRow(tr("Model"), model_row);
    form->addRow(tr("Prompt"), m_prompt);
    form->addRow(tr("Run to end"), m_max_new);
    form->addRow(tr("Threads"), m_threads);
    return group;
}

QWidget* ScenarioPanel::buildSamplingGroup() {
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0, 5);
    m_temperature->setSingleStep(0.1);
    m_temperature->setSpecialValueText(tr("0 (greedy)"));
    m_top_k = new QSpinBox;
    m_top_k->setRange(0, 1000000);
    m_top_k->setSpecialValueText(tr("off"));
    m_top_p = new QDoubleSpinBox;
    m_top_p->setRange(0.01, 1.0);
    m_top_p->setSingleStep(0.05);
    m_top_p->setValue(1.0);
    m_seed = new QSpinBox;
    m_seed->setRange(0, 2147483647);
    m_seed->setValue(42);
    auto* group = new QGroupBox(tr("Sampling"));
    auto* form = new QFormLayout(group);
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Top-k"), m_top_k);
    form->addRow(tr("Top-p"), m_top_p);
    form->addRow(tr("Seed"), m_seed);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &ScenarioPanel::settingsChanged);
    connect(m_top_k, &QSpinBox::valueChanged, this, &ScenarioPanel::settingsChanged);
    connect(m_top_p, &QDoubleSpinBox::valueChanged, this, &ScenarioPanel::settingsChanged);
    connect(m_seed, &QSpinBox::valueChanged, this, &ScenarioPanel::settingsChanged);
    return group;
}

QWidget* ScenarioPanel::buildCacheGroup() {
    m_mode = new QComboBox;
    m_mode->addItem(tr("KV cache"), int(CacheMode::Cached));
    m_mode->addItem(tr("No cache: recompute"), int(CacheMode::Recompute));
    m_layout = new QComboBox;
    m_layout->addItem(tr("Contiguous"), int(CacheLayout::Contiguous));
    m_layout->addItem(tr("Paged blocks"), int(CacheLayout::Paged));
    m_block_size = new QSpinBox;
    m_block_size->setRange(1, 4096);
    m_block_size->setValue(16);
    m_block_size->setSuffix(tr(" tokens"));
    // How K and V are stored: the spec strings of core/cache/kv_cache_spec (parseKvCacheSpec).
    m_codec = new QComboBox;
    m_codec->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_codec->setMinimumContentsLength(10);  // long names are cut, the dock keeps its width
    m_codec->setToolTip(
        tr("The precision the cache stores K and V in; scales and windows are "
           "counted in its bytes"));
    const std::pair<QString, QString> codecs[] = {
        {QStringLiteral("fp32"), tr("fp32 (reference)")},
        {QStringLiteral("fp16"), tr("fp16")},
        {QStringLiteral("bf16"), tr("bf16")},
        {QStringLiteral("fp8_e4m3"), tr("fp8 e4m3")},
        {QStringLiteral("fp8_e5m2"), tr("fp8 e5m2")},
        {QStringLiteral("int8"), tr("int8 (scale per token and head)")},
        {QStringLiteral("q8_0"), tr("q8_0 (llama.cpp)")},
        {QStringLiteral("int4"), tr("int4 (groups of 32)")},
        {QStringLiteral("q4_0"), tr("q4_0 (llama.cpp)")},
        {QStringLiteral("int8/int4"), tr("int8 keys, int4 values")},
        {QStringLiteral("int4+w32"), tr("int4, last 32 tokens fp16")},
        {QStringLiteral("kivi2+r32"), tr("KIVI 2-bit, 32 recent fp16")},
    };
    for (const auto& [spec, label] : codecs)
        m_codec->addItem(label, spec);
    m_measure_other = new QCheckBox(tr("Also time the other mode"));
    m_measure_other->setChecked(true);
    m_measure_other->setToolTip(
        tr("Run every step a second time in the other mode (same tokens) for the cost chart"));
    auto* group = new QGroupBox(tr("Cache"));
    auto* form = new QFormLayout(group);
    form->addRow(tr("Mode"), m_mode);
    form->addRow(tr("Layout"), m_layout);
    form->addRow(tr("Block size"), m_block_size);
    form->addRow(tr("Precision"), m_codec);
    form->addRow(tr("Backend"), buildBackendRow());
    form->addRow(tr("Activations"), buildActivationsRow());
    form->addRow(m_measure_other);
    auto changed = [this] {
        m_block_size->setEnabled(m_layout->currentData().toInt() == int(CacheLayout::Paged));
        emit settingsChanged();
    };
    connect(m_mode, &QComboBox::currentIndexChanged, this, changed);
    connect(m_layout, &QComboBox::currentIndexChanged, this, changed);
    connect(m_codec, &QComboBox::currentIndexChanged, this, changed);
    connect(m_block_size, &QSpinBox::valueChanged, this, &ScenarioPanel::settingsChanged);
    connect(m_measure_other, &QCheckBox::toggled, this, &ScenarioPanel::measureOtherModeChanged);
    m_block_size->setEnabled(false);
    return group;
}

QWidget* ScenarioPanel::buildEvictionGroup() {
    m_eviction = new EvictionControls;
    connect(m_eviction, &EvictionControls::changed, this, &ScenarioPanel::settingsChanged);
    auto* group = new QGroupBox(tr("Bounded cache"));
    group->setToolTip(
        tr("Hold a fixed budget of KV entries per layer: stepping strikes out the evicted tokens "
           "and the cache chart flattens at the budget"));
    auto* layout = new QVBoxLayout(group);
    layout->addWidget(m_eviction);
    return group;
}

QWidget* ScenarioPanel::buildBackendRow() {
    m_backend = new QComboBox;
    m_backend->addItem(tr("CPU (Eigen)"), QStringLiteral("cpu"));
    m_backend->addItem(tr("CUDA"), QStringLiteral("cuda"));
    const CudaAvailability cuda = cudaAvailability();
    if (cuda.available) {
        m_backend->setToolTip(tr("Where the forward pass runs; changing it starts over"));
    } else {
        const QString why = tr("CUDA is unavailable: %1").arg(QString::fromStdString(cuda.reason));
        auto* model = qobject_cast<QStandardItemModel*>(m_backend->model());
        model->item(1)->setEnabled(false);
        m_backend->setItemData(1, why, Qt::ToolTipRole);
        m_backend->setToolTip(tr("Where the forward pass runs. %1").arg(why));
    }
    const bool on_cuda = requestedBackend() != BackendKind::Cpu && cuda.available;
    m_backend->setCurrentIndex(on_cuda ? 1 : 0);
    connect(m_backend, &QComboBox::currentIndexChanged, this, [this] {
        setRequestedBackend(m_backend->currentData().toString() == QStringLiteral("cuda")
                                ? BackendKind::Cuda
                                : BackendKind::Cpu);
        emit settingsChanged();
    });
    return m_backend;
}

QWidget* ScenarioPanel::buildActivationsRow() {
    m_activations = new QComboBox;
    m_activations->addItem(tr("8-bit (llama.cpp)"), QStringLiteral("q8"));
    m_activations->addItem(tr("float (fp32)"), QStringLiteral("float"));
    showActivations(requestedActivations());
    setActivationsApply(true);
    connect(m_activations, &QComboBox::currentIndexChanged, this, [this] {
        setRequestedActivations(
            parseActivations(m_activations->currentData().toString().toStdString(), "activations"));
        emit settingsChanged();
    });
    return m_activations;
}

void ScenarioPanel::showActivations(cpu::Activations activations) {
    const QSignalBlocker quiet(m_activations);
    m_activations->setCurrentIndex(
        m_activations->findData(QString::fromLatin1(activationsFlagValue(activations))));
}

void ScenarioPanel::setActivationsApply(bool applies) {
    m_activations->setEnabled(applies);
    m_activations->setToolTip(
        applies
            ? tr("How the CPU backend multiplies the quantized weights (kvscope --activations): "
                 "8-bit rounds each activation row to 8-bit blocks and multiplies integers, as "
                 "llama.cpp does; float keeps fp32 rows (the exact product with the weights' "
                 "fp32 expansion). Changing it starts over; the Quantization and Eviction "
                 "views' runs use it too")
            : tr("The model on screen has F32/F16/BF16 weights (or is a replayed trace): "
                 "their products take float rows under either scheme, so the choice "
                 "changes nothing here. It matters for quantized weights (Q8_0, Q4_K, ...)"));
}

QString ScenarioPanel::modelReference() const {
    return m_model->currentData().toString();
}

void ScenarioPanel::showModel(const QString& reference) {
    const QSignalBlocker block(m_model);
    int index = m_model->findData(reference);
    if (index < 0) {
        m_model->addItem(QFileInfo(reference).fileName(), reference);
        index = m_model->count() - 1;
        m_model->setItemData(index, reference, Qt::ToolTipRole);
    }
    m_model->setCurrentIndex(index);
}

void ScenarioPanel::setRecentFiles(const QStringList& files) {
    const QString current = modelReference();
    const QSignalBlocker block(m_model);
    while (m_model->count() > m_n_builtin)
        m_model->removeItem(m_model->count() - 1);
    if (!files.isEmpty()) m_model->insertSeparator(m_n_builtin);
    for (const QString& file : files) {
        m_model->addItem(QFileInfo(file).fileName(), file);
        m_model->setItemData(m_model->count() - 1, file, Qt::ToolTipRole);
    }
    showModel(current);
}

QString ScenarioPanel::prompt() const {
    return m_prompt->toPlainText();
}

void ScenarioPanel::setPrompt(const QString& text) {
    m_prompt->setPlainText(text);
}

int ScenarioPanel::maxNewTokens() const {
    return m_max_new->value();
}

void ScenarioPanel::setMaxNewTokens(int n) {
    m_max_new->setValue(n);
}

SessionOptions ScenarioPanel::sessionOptions() const {
    SessionOptions options;
    options.mode = CacheMode(m_mode->currentData().toInt());
    options.cache_layout = CacheLayout(m_layout->currentData().toInt());
    options.block_size = m_block_size->value();
    options.sampling.temperature = float(m_temperature->value());
    options.sampling.top_k = m_top_k->value();
    options.sampling.top_p = float(m_top_p->value());
    options.sampling.seed = std::uint64_t(m_seed->value());
    options.cache_spec =
        parseKvCacheSpec(m_codec->currentData().toString().toStdString(), "precision");
    options.max_context = m_max_context;
    try {
        options.eviction = m_eviction->spec(options.cache_spec);
    } catch (const InputError&) {
        options.eviction = EvictionSpec{};  // settingsError() says why; callers check it first
    }
    return options;
}

void ScenarioPanel::setEviction(const EvictionSpec& spec, std::int64_t budget_bytes) {
    m_eviction->setSpec(spec, budget_bytes);
}

std::int64_t ScenarioPanel::evictionBudgetBytes() const {
    return m_eviction->budgetBytes();
}

QString ScenarioPanel::settingsError() {
    return m_eviction->check(
        parseKvCacheSpec(m_codec->currentData().toString().toStdString(), "precision"));
}

void ScenarioPanel::setModel(const ModelConfig& config, std::int64_t max_context) {
    m_eviction->setModel(config, max_context);
}

void ScenarioPanel::setSessionOptions(const SessionOptions& options) {
    const QSignalBlocker blocks[] = {QSignalBlocker(m_mode),       QSignalBlocker(m_layout),
                                     QSignalBlocker(m_block_size), QSignalBlocker(m_temperature),
                                     QSignalBlocker(m_top_k),      QSignalBlocker(m_top_p),
                                     QSignalBlocker(m_seed)};
    m_mode->setCurrentIndex(m_mode->findData(int(options.mode)));
    m_layout->setCurrentIndex(m_layout->findData(int(options.cache_layout)));
    m_block_size->setValue(int(options.block_size));
    m_block_size->setEnabled(options.cache_layout == CacheLayout::Paged);
    m_temperature->setValue(double(options.sampling.temperature));
    m_top_k->setValue(int(options.sampling.top_k));
    m_top_p->setValue(double(options.sampling.top_p));
    m_seed->setValue(int(options.sampling.seed));
    // A spec the list does not offer (from a scenario file) joins it.
    const QString spec = QString::fromStdString(options.cache_spec.label());
    int index = m_codec->findData(spec);
    if (index < 0) {
        m_codec->addItem(spec, spec);
        index = m_codec->count() - 1;
    }
    const QSignalBlocker block_codec(m_codec);
    m_codec->setCurrentIndex(index);
    m_max_context = options.max_context;
    m_eviction->setSpec(options.eviction, 0);
}

bool ScenarioPanel::measureOtherMode() const {
    return m_measure_other->isChecked();
}

int ScenarioPanel::threads() const {
    return m_threads->value();
}

}  // namespace kvscope

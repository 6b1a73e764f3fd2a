#pragma once
// The model/scenario panel: which model (built-in demo variants, a GGUF or llama2.c file, recent
// files), the prompt, how many tokens Run to end generates, sampling, cache mode and layout, and a
// bounded cache (EvictionControls: policy, budget, sinks, window, positions, shape). It edits
// settings only; MainWindow sends them to the engine.
#include <QStringList>
#include <QWidget>

#include "core/engine/cpu_math.h"
#include "core/engine/session.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace kvscope {

class EvictionControls;

class ScenarioPanel : public QWidget {
    Q_OBJECT
public:
    explicit ScenarioPanel(QWidget* parent = nullptr);

    QString modelReference() const;
    /// Selects `reference`, adding it to the list when it is a file. Emits nothing.
    void showModel(const QString& reference);
    /// Files offered under the built-in models, most recent first.
    void setRecentFiles(const QStringList& files);

    QString prompt() const;
    void setPrompt(const QString& text);
    int maxNewTokens() const;
    void setMaxNewTokens(int n);
    /// The session options the fields describe (max_context: the model's). A bounded cache
    /// whose fields are bad (settingsError()) is left out: callers check settingsError() first.
    SessionOptions sessionOptions() const;
    /// Shows `options`; their eviction spec with its budget in tokens.
    void setSessionOptions(const SessionOptions& options);
    /// Shows a bounded cache; `budget_bytes` > 0 shows its budget in bytes.
    void setEviction(const EvictionSpec& spec, std::int64_t budget_bytes);
    /// The budget in bytes when the Bounded cache's unit is bytes; 0 when it is tokens.
    std::int64_t evictionBudgetBytes() const;
    /// Why the fields do not make a session ("Budget: ..."), shown under them; "" when they do.
    QString settingsError();
    /// The model the session runs (a byte budget becomes its tokens) and its context limit.
    void setModel(const ModelConfig& config, std::int64_t max_context);
    bool measureOtherMode() const;
    QCheckBox* measureOtherBox() const { return m_measure_other; }

    QComboBox* modelBox() const { return m_model; }
    QPlainTextEdit* promptEdit() const { return m_prompt; }
    QSpinBox* maxNewTokensBox() const { return m_max_new; }
    QDoubleSpinBox* temperatureBox() const { return m_temperature; }
    QComboBox* modeBox() const { return m_mode; }
    QComboBox* layoutBox() const { return m_layout; }
    QSpinBox* blockSizeBox() const { return m_block_size; }
    /// The engine's CPU threads (kvscope --threads, else OMP_NUM_THREADS, else all cores but
    /// the GUI's at start).
    QSpinBox* threadsBox() const { return m_threads; }
    int threads() const;

    /// The cache precision (KvCacheSpec labels as item data).
    QComboBox* codecBox() const { return m_codec; }
    EvictionControls* evictionControls() const { return m_eviction; }
    /// Where the forward pass runs: "cpu" or "cuda" as item data (core/engine/backend_select.h).
    /// The CUDA item is disabled, its tooltip saying why, when CUDA is unavailable; choosing an
    /// item sets the requested backend and emits settingsChanged().
    QComboBox* backendBox() const { return m_backend; }
    /// How the CPU backend multiplies quantized weights: "q8" (8-bit activations, llama.cpp's
    /// scheme, the default) or "float" as item data (kvscope --activations, a scenario's
    /// "activations"). Choosing an item sets the requested scheme (backend_select.h) and emits
    /// settingsChanged(); the Quantization and Eviction views' runs take it too.
    QComboBox* activationsBox() const { return m_activations; }
    /// Shows the requested scheme without emitting anything.
    void showActivations(cpu::Activations activations);
    /// Whether the model's weights are quantized (the scheme changes its products): otherwise
    /// the selector is disabled, its tooltip saying that F32/F16/BF16 weights compute the same
    /// either way.
    void setActivationsApply(bool applies);

signals:
    void modelChosen(const QString& reference);
    void openFileRequested();
    /// Sampling or cache settings changed (the session must be reopened).
    void settingsChanged();
    void measureOtherModeChanged(bool on);
    /// The thread count changed (the session must be reopened with it).
    void threadsChanged(int n_threads);

private:
    QWidget* buildModelGroup();
    QWidget* buildSamplingGroup();
    QWidget* buildCacheGroup();
    QWidget* buildEvictionGroup();
    QWidget* buildBackendRow();
    QWidget* buildActivationsRow();

    QComboBox* m_model = nullptr;
    QPushButton* m_open = nullptr;
    QPlainTextEdit* m_prompt = nullptr;
    QSpinBox* m_max_new = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_top_k = nullptr;
    QDoubleSpinBox* m_top_p = nullptr;
    QSpinBox* m_seed = nullptr;
    QComboBox* m_mode = nullptr;
    QComboBox* m_layout = nullptr;
    QSpinBox* m_block_size = nullptr;
    QSpinBox* m_threads = nullptr;
    QCheckBox* m_measure_other = nullptr;
    int m_n_builtin = 0;
    QComboBox* m_codec = nullptr;        // KvCacheSpec labels ("int8", "int4+w32", ...)
    QComboBox* m_backend = nullptr;      // "cpu", "cuda"
    QComboBox* m_activations = nullptr;  // "q8", "float"
    std::int64_t m_max_context = 0;      // likewise (0 = the model's)
    EvictionControls* m_eviction = nullptr;
};

}  // namespace kvscope

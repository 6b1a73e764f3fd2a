#pragma once
// The Memory view's form: the model (a preset, or a file / another view's model), context, batch,
// shared prefix, KV dtype, layout and block size, tensor parallel, and the GPU (a preset or a
// custom size in GiB). Every edit emits changed() at once; no timers.
#include <QString>
#include <QWidget>
#include <optional>

#include "core/memory/memory_study.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
QT_END_NAMESPACE

namespace kvscope {

class CountEdit;

class MemoryInputs : public QWidget {
    Q_OBJECT
public:
    /// The model combo's key for the model set from outside (a file, the Generate view).
    static inline const QString kExternalKey = QStringLiteral("external");

    explicit MemoryInputs(QWidget* parent = nullptr);

    /// The cache, workload and GPU of the form (shape and weights left empty). Throws
    /// MemoryInputError naming the field whose text is not a number.
    MemoryScenario scenario() const;
    /// "preset:<name>" or kExternalKey.
    QString modelKey() const;

    bool selectPreset(const QString& name);
    /// Adds (or renames) the external model entry and selects it.
    void setExternalModel(const QString& label, const QString& tooltip);
    bool selectDtype(KvDtype dtype);
    /// A GPU preset by name ("H100-80GB"), "none", or "custom".
    bool selectGpu(const QString& name);
    /// Tints the field of a bad input; nullopt clears the tint.
    void markField(std::optional<MemoryField> field);

    QComboBox* modelCombo() const { return m_model; }
    QPushButton* openButton() const { return m_open; }
    CountEdit* contextEdit() const { return m_context; }
    CountEdit* batchEdit() const { return m_batch; }
    CountEdit* prefixEdit() const { return m_prefix; }
    QComboBox* dtypeCombo() const { return m_dtype; }
    QComboBox* layoutCombo() const { return m_layout; }
    QSpinBox* blockSizeSpin() const { return m_block; }
    QSpinBox* tpSpin() const { return m_tp; }
    QComboBox* gpuCombo() const { return m_gpu; }
    QDoubleSpinBox* gpuMemorySpin() const { return m_gpu_gib; }

signals:
    void changed();
    void openFileRequested();

private:
    QWidget* fieldWidget(MemoryField field) const;
    void fillModels();
    void fillGpus();
    void updateEnabled();

    QStandardItemModel* m_models = nullptr;
    QComboBox* m_model = nullptr;
    QPushButton* m_open = nullptr;
    CountEdit* m_context = nullptr;
    CountEdit* m_batch = nullptr;
    CountEdit* m_prefix = nullptr;
    QComboBox* m_dtype = nullptr;
    QComboBox* m_layout = nullptr;
    QSpinBox* m_block = nullptr;
    QSpinBox* m_tp = nullptr;
    QComboBox* m_gpu = nullptr;
    QDoubleSpinBox* m_gpu_gib = nullptr;
    QWidget* m_marked = nullptr;
};

}  // namespace kvscope

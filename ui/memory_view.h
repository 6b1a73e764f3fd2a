#pragma once
// The Memory view (issue #5): how much KV cache and weight memory a model needs, for its attention
// variants and every KV dtype, and whether it fits a GPU. A form (MemoryInputs) on the left with
// the error line and the formula panel; three charts and the variants table on the right. Every
// edit recomputes at once (studyMemory is pure and takes well under a frame); bad input shows a
// message naming the field and the charts keep the last good scenario.
#include <QList>
#include <QString>
#include <QWidget>
#include <optional>

#include "core/memory/memory_study.h"
#include "core/model/model_config.h"

QT_BEGIN_NAMESPACE
class QChartView;
class QLabel;
QT_END_NAMESPACE

namespace kvscope {

class MemoryCapacityChart;
class MemoryContextChart;
class MemoryFormulaPanel;
class MemoryInputs;
class MemoryVariantsTable;

class MemoryView : public QWidget {
    Q_OBJECT
public:
    explicit MemoryView(QWidget* parent = nullptr);

    /// Reads a config.json or the header of a GGUF file and shows it. On failure shows the error
    /// (naming the file) and returns false; the previous model stays.
    bool loadModelFile(const QString& path);
    /// Picks a built-in preset by name ("llama-2-7b"); false when there is none.
    bool selectPreset(const QString& name);

    /// The last good study (nullopt before the first one) and the scenario it was computed from.
    const std::optional<MemoryStudy>& study() const { return m_study; }
    const MemoryScenario& scenario() const { return m_scenario; }
    /// The message for the current input, empty when it is good.
    QString errorText() const;

    MemoryInputs* inputs() const { return m_inputs; }
    QLabel* errorLabel() const { return m_error; }
    MemoryContextChart* variantChart() const { return m_variant_chart; }
    MemoryContextChart* dtypeChart() const { return m_dtype_chart; }
    MemoryCapacityChart* capacityChart() const { return m_capacity_chart; }
    MemoryVariantsTable* variantsTable() const { return m_table; }
    MemoryFormulaPanel* formulaPanel() const { return m_formulas; }
    /// Every chart, for exporting.
    QList<QChartView*> chartViews() const;

public slots:
    /// Shows a model loaded elsewhere (a file, the Generate view's model), labelled `label`.
    void setModelShape(const kvscope::ModelShape& shape, const kvscope::WeightLayout& layout,
                       const QString& label);
    /// setModelShape(shapeFromModelConfig(config, origin)) with the config's tied output and a
    /// gated FFN; shows an error for an invalid config.
    void setModelConfig(const kvscope::ModelConfig& config, const QString& origin);
    /// Recomputes from the form (every edit calls it).
    void recompute();

signals:
    /// After each recompute that produced a new study.
    void studyChanged();

private:
    void openFile();
    void showError(const QString& message, std::optional<MemoryField> field);
    void render();
    /// The model part of the scenario for the form's current model entry.
    void chooseModel(MemoryScenario& scenario) const;

    MemoryInputs* m_inputs = nullptr;
    QLabel* m_error = nullptr;
    MemoryFormulaPanel* m_formulas = nullptr;
    MemoryContextChart* m_variant_chart = nullptr;
    MemoryContextChart* m_dtype_chart = nullptr;
    MemoryCapacityChart* m_capacity_chart = nullptr;
    MemoryVariantsTable* m_table = nullptr;

    std::optional<ModelShape> m_external;  // the model from a file or another view
    WeightSpec m_external_weights;
    QString m_external_label;
    MemoryScenario m_scenario;  // of m_study
    std::optional<MemoryStudy> m_study;
};

}  // namespace kvscope

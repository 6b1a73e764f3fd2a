#pragma once
// The Memory view (issue #5): how much KV cache and weight memory a model needs, for its attention
// variants and every KV dtype, and whether it fits a GPU and would start in vLLM. A form
// (MemoryInputs) on the left with the error line, the vLLM verdict and the formula and serving-
// engine panels as tabs; three charts and the variants table on the right (2 x 2,
// or, too narrow for that beside a lesson's dock, the charts as tabs above the table). Every
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
class QHBoxLayout;
class QLabel;
class QTabWidget;
QT_END_NAMESPACE

namespace kvscope {

class MemoryCapacityChart;
class MemoryContextChart;
class MemoryFormulaPanel;
class MemoryInputs;
class MemoryServingPanel;
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
    /// The serving-engine section (vLLM's accounting) and its one-line verdict above the tabs.
    MemoryServingPanel* servingPanel() const { return m_serving; }
    QLabel* servingVerdict() const { return m_verdict; }
    /// The tabs of the left column: "Formulas" (terms and sources), "vLLM serving".
    QTabWidget* detailTabs() const { return m_detail_tabs; }
    /// Every chart, for exporting.
    QList<QChartView*> chartViews() const;
    /// True while the view is too narrow for four panels side by side (beside a lesson dock):
    /// then the three charts share one place as tabs and the variants table gets the whole
    /// width below.
    bool isCompact() const { return m_compact; }
    /// Which chart is in front while compact: "variants", "dtypes" or "capacity" (a lesson
    /// step names the one it talks about). False, and nothing changes, for another name.
    bool showChart(const QString& name);
    /// The compact arrangement's minimum, at most what fits beside the Generate view's docks: a
    /// narrow window makes the view compact rather than being pushed wider.
    QSize minimumSizeHint() const override;

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

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    /// Puts the charts and the table in the wide (2 x 2) or the compact arrangement.
    void arrange(bool compact);
    /// The width the wide or the compact arrangement needs.
    int arrangementWidth(bool compact) const;
    /// Wide or compact (when `decide`) for the width the view has and the table's numbers now.
    void fitArrangement(bool decide);
    void openFile();
    void showError(const QString& message, std::optional<MemoryField> field);
    void render();
    /// The model part of the scenario for the form's current model entry.
    void chooseModel(MemoryScenario& scenario) const;

    MemoryInputs* m_inputs = nullptr;
    QLabel* m_error = nullptr;
    MemoryFormulaPanel* m_formulas = nullptr;
    MemoryServingPanel* m_serving = nullptr;
    QLabel* m_verdict = nullptr;
    QTabWidget* m_detail_tabs = nullptr;
    MemoryContextChart* m_variant_chart = nullptr;
    MemoryContextChart* m_dtype_chart = nullptr;
    MemoryCapacityChart* m_capacity_chart = nullptr;
    MemoryVariantsTable* m_table = nullptr;
    QWidget* m_left = nullptr;            // the form and the formulas
    QWidget* m_table_box = nullptr;       // the table in its titled group
    QHBoxLayout* m_top_row = nullptr;     // wide: the curve charts; compact: the chart tabs
    QHBoxLayout* m_bottom_row = nullptr;  // wide: GPU chart + table; compact: the table
    QTabWidget* m_curve_tabs = nullptr;   // compact only: the three charts
    bool m_compact = false;
    int m_front_chart = 0;  // the tab in front while compact
    bool m_sized = false;   // laid out at least once: its width means something

    std::optional<ModelShape> m_external;  // the model from a file or another view
    WeightSpec m_external_weights;
    QString m_external_label;
    MemoryScenario m_scenario;  // of m_study
    std::optional<MemoryStudy> m_study;
};

}  // namespace kvscope

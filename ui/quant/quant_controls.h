#pragma once
// The Quantization view's inputs: the prompt, a codec for K and one for V (every format the cache
// implements), the mixed-precision window (the last W tokens in a high-precision dtype, older ones
// in the chosen codec), KIVI's fp16 residual R, and how many greedy steps to compare; the run row
// under them (ComparisonControls).
#include "core/cache/kv_cache_spec.h"
#include "ui/widgets/comparison_controls.h"

class QComboBox;
class QSpinBox;

namespace kvscope {

class QuantControls : public ComparisonControls {
    Q_OBJECT
public:
    explicit QuantControls(QWidget* parent = nullptr);

    /// The cache spec the fields describe (not checked: runQuantEval and the view check it).
    KvCacheSpec spec() const;
    void setSpec(const KvCacheSpec& spec);

    QComboBox* keyBox() const { return m_key; }
    QComboBox* valueBox() const { return m_value; }
    QSpinBox* windowBox() const { return m_window; }
    QComboBox* windowDtypeBox() const { return m_window_dtype; }
    QSpinBox* kiviBox() const { return m_kivi; }

private:
    void updateEnabled();

    QComboBox* m_key = nullptr;
    QComboBox* m_value = nullptr;
    QSpinBox* m_window = nullptr;
    QComboBox* m_window_dtype = nullptr;
    QSpinBox* m_kivi = nullptr;
};

}  // namespace kvscope

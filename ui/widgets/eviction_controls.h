#pragma once
// The Scenario panel's bounded-cache fields: the eviction policy, the budget in tokens or in bytes
// (K + V of all layers at the cache's precision: 8-bit entries hold twice the tokens of 16-bit
// ones), the sink count, the recent / observation window, where the kept keys sit (original RoPE
// positions or re-rotated into the cache), the budget's shape over the layers, and whether each KV
// head keeps its own entries (the head-wise policies h2o, tova, snapkv, knorm). Each field is
// enabled only where the chosen policy reads it. Bad input is reported under the fields by the
// name of the field, never clamped away (core/cache/eviction_policy.h checks the rules).
#include <QString>
#include <QWidget>
#include <cstdint>

#include "core/cache/cache_layout.h"
#include "core/cache/eviction_policy.h"
#include "core/cache/kv_cache_spec.h"
#include "core/model/model_config.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace kvscope {

class CountEdit;

class EvictionControls : public QWidget {
    Q_OBJECT
public:
    explicit EvictionControls(QWidget* parent = nullptr);

    /// The model the budget is sized for (a byte budget turns into its tokens) and its context
    /// limit (the window may not exceed it). n_layers 0: no model yet.
    void setModel(const ModelConfig& config, std::int64_t max_context);

    /// The spec the fields describe, with a byte budget turned into tokens for `codecs` on the
    /// model. Throws InputError naming the field ("Budget: ...") when the fields do not make one.
    EvictionSpec spec(const KvCacheSpec& codecs) const;
    /// spec() or, where it throws, its message shown under the fields; "" when the spec is good.
    QString check(const KvCacheSpec& codecs);
    /// The budget in bytes when the unit is bytes; 0 when it is tokens.
    std::int64_t budgetBytes() const;
    /// Shows `spec`; `budget_bytes` > 0 shows the budget in bytes instead of spec.budget tokens.
    /// Emits nothing.
    void setSpec(const EvictionSpec& spec, std::int64_t budget_bytes);

    QComboBox* policyBox() const { return m_policy; }
    CountEdit* budgetEdit() const { return m_budget; }
    QComboBox* unitBox() const { return m_unit; }
    QSpinBox* sinksBox() const { return m_sinks; }
    QSpinBox* windowBox() const { return m_window; }
    QComboBox* positionsBox() const { return m_positions; }
    QComboBox* shapeBox() const { return m_shape; }
    QCheckBox* perHeadBox() const { return m_per_head; }
    /// The line under the fields: an error (red) or what a byte budget buys.
    QLabel* messageLabel() const { return m_message; }

signals:
    void changed();

private:
    void updateEnabled();
    EvictionPolicy policy() const;

    QComboBox* m_policy = nullptr;
    CountEdit* m_budget = nullptr;
    QComboBox* m_unit = nullptr;
    QSpinBox* m_sinks = nullptr;
    QSpinBox* m_window = nullptr;
    QComboBox* m_positions = nullptr;
    QComboBox* m_shape = nullptr;
    QCheckBox* m_per_head = nullptr;
    QLabel* m_message = nullptr;
    ModelConfig m_config;                // n_layers 0 until a model is known
    std::int64_t m_max_context = 0;      // 0: not known
    std::int64_t m_pool = 7;             // snapkv's kernel: kept from a scenario, not offered
    std::int64_t m_fallback_tokens = 0;  // a byte budget's tokens while no model is known
};

}  // namespace kvscope

#pragma once
// The Paging view's form: the workload (preset, requests, seed, shared system prompt and the
// share of requests that start with it), the policy shown on the block grid, the block size and
// the KV budget in blocks. Every edit emits changed() at once; out-of-range values reach the
// view's message (sim::checkPagingScenario) instead of being clamped away.
#include <QString>
#include <QWidget>
#include <optional>

#include "core/sim/paging_study.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
QT_END_NAMESPACE

namespace kvscope {

/// "contiguous max-length (2048)", "paged, block 16", ...: the policy as the view names it.
/// `short_form`: for a table row ("contiguous, max (2048)", "contiguous, exact (oracle)").
QString pagingPolicyLabel(sim::PolicyKind policy, std::int64_t block_size, bool short_form = false);

class PagingInputs : public QWidget {
    Q_OBJECT
public:
    explicit PagingInputs(QWidget* parent = nullptr);

    sim::PagingScenario scenario() const;
    /// Shows `scenario` in the form (emits changed() once).
    void setScenario(const sim::PagingScenario& scenario);
    /// Tints the field of a bad input; nullopt clears the tint.
    void markField(std::optional<sim::PagingField> field);

    QComboBox* presetCombo() const { return m_preset; }
    QSpinBox* requestsSpin() const { return m_requests; }
    QSpinBox* seedSpin() const { return m_seed; }
    QSpinBox* systemPromptSpin() const { return m_system; }
    QDoubleSpinBox* sharedFractionSpin() const { return m_fraction; }
    /// The policy on the grid. Not in the form: the view puts it above the grid.
    QComboBox* policyCombo() const { return m_policy; }
    QSpinBox* blockSizeSpin() const { return m_block; }
    QSpinBox* budgetSpin() const { return m_budget; }

signals:
    void changed();

private:
    QWidget* fieldWidget(sim::PagingField field) const;
    void refreshLabels();

    QComboBox* m_preset = nullptr;
    QSpinBox* m_requests = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_system = nullptr;
    QDoubleSpinBox* m_fraction = nullptr;
    QComboBox* m_policy = nullptr;
    QSpinBox* m_block = nullptr;
    QSpinBox* m_budget = nullptr;
    QLabel* m_slots = nullptr;
    QWidget* m_marked = nullptr;
    bool m_setting = false;
};

}  // namespace kvscope

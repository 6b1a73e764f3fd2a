#pragma once
// The Eviction view's inputs: the prompt, the bounded cache to compare with the full one (the
// Scenario panel's fields: policy, budget in tokens or bytes, sinks, window, positions, shape,
// per head), the layout both caches use, and how many greedy steps to compare; the run row under
// them (ComparisonControls).
#include "core/cache/cache_layout.h"
#include "ui/widgets/comparison_controls.h"

class QComboBox;

namespace kvscope {

class EvictionControls;

class EvictControls : public ComparisonControls {
    Q_OBJECT
public:
    explicit EvictControls(QWidget* parent = nullptr);

    EvictionControls* eviction() const { return m_eviction; }
    CacheLayout layout() const;
    QComboBox* layoutBox() const { return m_layout; }

private:
    EvictionControls* m_eviction = nullptr;
    QComboBox* m_layout = nullptr;
};

}  // namespace kvscope

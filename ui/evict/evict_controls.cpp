#include "ui/evict/evict_controls.h"

#include <QComboBox>

#include "ui/widgets/eviction_controls.h"

namespace kvscope {

EvictControls::EvictControls(QWidget* parent)
    : ComparisonControls(
          tr("Run vs full cache"),
          tr("Run the bounded cache beside the full one on the Generate view's model (on a worker "
             "thread)"),
          64,
          tr("The full cache's greedy continuation of the prompt: the teacher-forced tokens both "
             "caches see, and the free-generation steps"),
          parent) {
    m_eviction = new EvictionControls;
    m_layout = new QComboBox;
    m_layout->addItem(tr("paged blocks of 16"), int(CacheLayout::Paged));
    m_layout->addItem(tr("contiguous"), int(CacheLayout::Contiguous));
    m_layout->setToolTip(
        tr("Paged: a block is handed back once no entry in it is held, so the allocation "
           "flattens too. Contiguous: the whole context is reserved from the start"));
    addRow(m_eviction);
    addRow(tr("Layout"), m_layout);
    finishLayout();
}

CacheLayout EvictControls::layout() const {
    return CacheLayout(m_layout->currentData().toInt());
}

}  // namespace kvscope

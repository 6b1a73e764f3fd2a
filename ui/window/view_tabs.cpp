#include "ui/window/view_tabs.h"

#include "ui/evict/evict_view.h"
#include "ui/export/export_targets.h"
#include "ui/generate/generate_view.h"
#include "ui/memory/memory_view.h"
#include "ui/paging/paging_view.h"
#include "ui/quant/quant_view.h"

namespace kvscope {

ViewTabs::ViewTabs(TraceModel* trace, QWidget* parent) : QTabWidget(parent), m_trace(trace) {
    m_generate = new GenerateView(m_trace);
    setDocumentMode(true);
    m_memory = new MemoryView;
    addTab(m_generate, tr("Generate"));
    addTab(m_memory, tr("Memory"));
    m_generate->setObjectName(QStringLiteral("generate"));
    m_memory->setObjectName(QStringLiteral("memory"));
    m_quant = new QuantView;
    m_quant->setObjectName(QStringLiteral("quant"));
    insertTab(indexOf(m_memory) + 1, m_quant, tr("Quantization"));
    m_evict = new EvictView;
    m_evict->setObjectName(QStringLiteral("evict"));
    insertTab(indexOf(m_quant) + 1, m_evict, tr("Eviction"));
    m_paging = new PagingView;
    m_paging->setObjectName(QStringLiteral("paging"));
    insertTab(indexOf(m_memory) + 1, m_paging, tr("Paging"));
}

bool ViewTabs::showView(const QString& name) {
    for (int i = 0; i < count(); ++i) {
        if (widget(i)->objectName() == name) {
            setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

void ViewTabs::installExports() {
    installGenerateExports(*m_generate, *m_trace);
    installMemoryExports(*m_memory);
    installPagingExports(*m_paging);
    installQuantExports(*m_quant);
    installEvictExports(*m_evict);
}

}  // namespace kvscope

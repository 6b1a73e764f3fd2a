#pragma once
// The views in the middle of the window, as tabs: Generate, Memory, Paging, Quantization and
// Eviction. Each view is named ("generate", "memory", "paging", "quant", "evict": scenario files,
// lessons and --view use the names) and its charts are offered for export (right-click, File >
// Export).
#include <QTabWidget>

namespace kvscope {

class EvictView;
class GenerateView;
class MemoryView;
class PagingView;
class QuantView;
class TraceModel;

class ViewTabs : public QTabWidget {
    Q_OBJECT
public:
    /// The Generate view renders `trace`; the others have their own inputs.
    explicit ViewTabs(TraceModel* trace, QWidget* parent = nullptr);

    GenerateView* generate() const { return m_generate; }
    MemoryView* memory() const { return m_memory; }
    PagingView* paging() const { return m_paging; }
    QuantView* quant() const { return m_quant; }
    EvictView* evict() const { return m_evict; }

    /// Brings the view named `name` ("generate", ...) to the front; false when there is none.
    bool showView(const QString& name);
    /// Registers every view's charts for export (export_targets.h), in tab order.
    void installExports();

private:
    TraceModel* m_trace;
    GenerateView* m_generate = nullptr;
    MemoryView* m_memory = nullptr;
    PagingView* m_paging = nullptr;
    QuantView* m_quant = nullptr;
    EvictView* m_evict = nullptr;
};

}  // namespace kvscope

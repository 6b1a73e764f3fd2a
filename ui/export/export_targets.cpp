// Adapts each view's charts to ExportTarget (see export_targets.h).
#include "ui/export/export_targets.h"

#include <QChart>
#include <QObject>
#include <QPointer>

#include "ui/engine/trace_model.h"
#include "ui/evict/evict_bytes_chart.h"
#include "ui/evict/evict_view.h"
#include "ui/export/export_csv.h"
#include "ui/export/export_menu.h"
#include "ui/generate/cache_growth_chart.h"
#include "ui/generate/cost_chart.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/head_grid_widget.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/memory/memory_capacity_chart.h"
#include "ui/memory/memory_context_chart.h"
#include "ui/memory/memory_view.h"
#include "ui/paging/block_grid_widget.h"
#include "ui/paging/paging_chart.h"
#include "ui/paging/paging_view.h"
#include "ui/quant/quant_step_chart.h"
#include "ui/quant/quant_view.h"

namespace kvscope {

void installGenerateExports(GenerateView& view, const TraceModel& trace) {
    HeatmapWidget* heatmap = view.heatmap();
    installExport({QStringLiteral("heatmap"), QObject::tr("Attention heatmap"), heatmap, [heatmap] {
                       return attentionMatrixCsv(heatmap->weights(), heatmap->labels());
                   }});
    installExport({QStringLiteral("head-grid"), QObject::tr("All heads"), view.headGrid(),
                   [&trace] { return allHeadsCsv(trace); }});
    CacheGrowthChart* cache = view.cacheChart();
    installExport({QStringLiteral("cache-growth"), QObject::tr("KV cache growth"), cache,
                   [cache] { return cacheGrowthCsv(cache->data()); }});
    CostChart* cost = view.costChart();
    installExport({QStringLiteral("compute"), QObject::tr("Cost of not caching"), cost,
                   [cost] { return costCsv(cost->data()); }});
}

void installMemoryExports(MemoryView& view) {
    MemoryContextChart* variants = view.variantChart();
    installExport({QStringLiteral("memory"), QObject::tr("KV bytes by attention variant"), variants,
                   [variants] { return contextChartCsv(*variants); }});
    MemoryContextChart* dtypes = view.dtypeChart();
    installExport({QStringLiteral("memory-dtype"), QObject::tr("KV bytes by KV dtype"), dtypes,
                   [dtypes] { return contextChartCsv(*dtypes); }});
    MemoryCapacityChart* capacity = view.capacityChart();
    installExport({QStringLiteral("memory-capacity"), QObject::tr("Memory per GPU"), capacity,
                   [capacity] { return capacityChartCsv(*capacity); }});
}

namespace {

/// A Qt chart without a data struct of its own: the CSV is its series' points.
ExportTarget seriesTarget(const QString& name, const QString& title, QChartView* chart) {
    return {name, title, chart, [chart] { return chartSeriesCsv(*chart->chart()); }};
}

}  // namespace

void installPagingExports(PagingView& view) {
    installExport(seriesTarget(QStringLiteral("paging"), QObject::tr("KV utilization per step"),
                               view.utilizationChart()));
    installExport(seriesTarget(QStringLiteral("paging-running"),
                               QObject::tr("Running sequences per step"), view.runningChart()));
    installExport(seriesTarget(QStringLiteral("paging-waste"), QObject::tr("KV waste per step"),
                               view.wasteChart()));
    BlockGridWidget* grid = view.grid();
    installExport({QStringLiteral("paging-blocks"), QObject::tr("Block pool"), grid,
                   [grid] { return poolCsv(grid->snapshot()); }});
}

void installQuantExports(QuantView& view) {
    installExport(seriesTarget(QStringLiteral("quant"), QObject::tr("Attention error per step"),
                               view.attentionChart()));
    installExport(seriesTarget(QStringLiteral("quant-logits"),
                               QObject::tr("Next-token error per step"), view.logitsChart()));
    HeatmapWidget* heatmap = view.heatmap();
    installExport(
        {QStringLiteral("quant-heatmap"), QObject::tr("Attention difference heatmap"), heatmap,
         [heatmap] { return attentionMatrixCsv(heatmap->weights(), heatmap->labels()); }});
}

void installEvictExports(EvictView& view) {
    // Both charts also export the whole comparison as evict-eval's JSON.
    const auto json = [view = QPointer<EvictView>(&view)] {
        return view ? view->resultJson() : QString();
    };
    ExportTarget kl =
        seriesTarget(QStringLiteral("evict"),
                     QObject::tr("Next-token KL against the full cache per step"), view.klChart());
    kl.json = json;
    installExport(kl);
    ExportTarget bytes =
        seriesTarget(QStringLiteral("evict-bytes"),
                     QObject::tr("KV bytes held and allocated per step"), view.bytesChart());
    bytes.json = json;
    installExport(bytes);
}

}  // namespace kvscope

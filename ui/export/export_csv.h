#pragma once
// The numbers a chart plots, as CSV text (RFC 4180, "\n" line ends): a header row naming each
// column and its unit, then one row per point. Copies numbers from the data a view holds; computes
// none. Bytes are exact integers; other numbers are written in the shortest form that reads back
// the same; an empty field means "not measured" (NaN) or "masked" (attention right of the
// diagonal).
#include <QString>
#include <QStringList>

#include "core/model/model_weights.h"
#include "core/sim/pool_snapshot.h"
#include "ui/generate/cache_growth_data.h"
#include "ui/generate/cost_data.h"

QT_BEGIN_NAMESPACE
class QChart;
QT_END_NAMESPACE

namespace kvscope {

class MemoryCapacityChart;
class MemoryContextChart;
class TraceModel;

/// One head's attention matrix: columns query_position, query_token, then one per key position
/// "key_<k>:<token>"; weights (probabilities, no unit) with empty cells right of the diagonal.
/// weights: [n_query][n_key]; labels: one per position (missing ones are left empty).
QString attentionMatrixCsv(const Matrix& weights, const QStringList& labels);

/// Every head at the cursor, one row per (layer, head, query, key <= query):
/// layer,head,kv_head,query_position,key_position,weight.
QString allHeadsCsv(const TraceModel& trace);

/// step, positions, K+V bytes of each layer, total bytes, then each overlay's total bytes.
QString cacheGrowthCsv(const CacheGrowthData& data);

/// step, cached/recompute wall time (ms) and FLOPs: every measure the cost chart can show.
QString costCsv(const CostData& data);

/// One row per curve point: curve,context_tokens,kv_bytes.
QString contextChartCsv(const MemoryContextChart& chart);

/// One row per bar: variant, bytes of each segment, total bytes, GPU and usable bytes.
QString capacityChartCsv(const MemoryCapacityChart& chart);

/// The Paging view's block pool, one row per cell: cell,state (free, cached-free, in-use),
/// ref_count, fill and capacity (token slots), owners ("request.sample" separated by spaces).
QString poolCsv(const sim::PoolSnapshot& pool);

/// Any Qt chart, for views without a data struct of their own: one row per point of every XY
/// series (series,x,y with the axis titles as the x and y column units), and for bar series one
/// row per (set, category).
QString chartSeriesCsv(const QChart& chart);

/// `value` in the shortest form that reads back the same; "" for NaN.
QString csvNumber(double value);

}  // namespace kvscope

// CSV text of what each chart plots (see export_csv.h).
#include "ui/export/export_csv.h"

#include <QAbstractAxis>
#include <QAbstractBarSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QLineSeries>
#include <QLocale>
#include <QStackedBarSeries>
#include <QXYSeries>
#include <cmath>

#include "core/trace/attention_matrix.h"
#include "core/trace/trace_text.h"
#include "ui/engine/trace_model.h"
#include "ui/memory/memory_capacity_chart.h"
#include "ui/memory/memory_context_chart.h"

namespace kvscope {

namespace {

QString field(const QString& text) {
    return QString::fromStdString(csvField(text.toStdString()));
}

/// Appends one CSV row (fields already escaped or numeric) and a newline.
void row(QString& out, const QStringList& fields) {
    out += fields.join(QLatin1Char(','));
    out += QLatin1Char('\n');
}

QString header(const QStringList& names) {
    QStringList escaped;
    for (const QString& name : names)
        escaped << field(name);
    return escaped.join(QLatin1Char(','));
}

QString at(const std::vector<double>& values, std::size_t i) {
    return i < values.size() ? csvNumber(values[i]) : QString();
}

QString axisTitle(const QChart& chart, Qt::Orientation orientation) {
    const QList<QAbstractAxis*> axes = chart.axes(orientation);
    return axes.isEmpty() ? QString() : axes.front()->titleText();
}

}  // namespace

QString csvNumber(double value) {
    if (std::isnan(value)) return {};
    // Whole numbers (bytes, steps, tokens) exactly as integers, never in exponent form.
    if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0)
        return QString::number(qint64(value));
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QString attentionMatrixCsv(const Matrix& weights, const QStringList& labels) {
    const auto label = [&labels](Eigen::Index i) {
        return i < labels.size() ? labels[qsizetype(i)] : QString();
    };
    QStringList names{QStringLiteral("query_position"), QStringLiteral("query_token")};
    for (Eigen::Index k = 0; k < weights.cols(); ++k)
        names << QStringLiteral("key_%1:%2").arg(k).arg(label(k));
    QString out = header(names) + QLatin1Char('\n');
    for (Eigen::Index q = 0; q < weights.rows(); ++q) {
        QStringList fields{QString::number(q), field(label(q))};
        for (Eigen::Index k = 0; k < weights.cols(); ++k)
            fields << (k <= q ? csvNumber(double(weights(q, k))) : QString());
        row(out, fields);
    }
    return out;
}

QString allHeadsCsv(const TraceModel& trace) {
    const ModelConfig& config = trace.config();
    const std::int64_t group = config.n_kv_heads > 0 ? config.kvGroupSize() : 1;
    QString out = QStringLiteral("layer,head,kv_head,query_position,key_position,weight\n");
    for (std::int64_t layer = 0; layer < config.n_layers; ++layer) {
        for (std::int64_t head = 0; head < config.n_heads; ++head) {
            const Matrix weights = assembleAttention(trace.shown(), layer, head).weights;
            for (Eigen::Index q = 0; q < weights.rows(); ++q) {
                for (Eigen::Index k = 0; k <= q && k < weights.cols(); ++k) {
                    row(out, {QString::number(layer), QString::number(head),
                              QString::number(head / group), QString::number(q), QString::number(k),
                              csvNumber(double(weights(q, k)))});
                }
            }
        }
    }
    return out;
}

QString cacheGrowthCsv(const CacheGrowthData& data) {
    QStringList names{QStringLiteral("step"), QStringLiteral("positions")};
    for (std::size_t l = 0; l < data.layers.size(); ++l)
        names << QStringLiteral("layer_%1_kv_bytes").arg(l);
    names << QStringLiteral("total_kv_bytes") << QStringLiteral("allocated_kv_bytes");
    for (const CacheGrowthData::Overlay& overlay : data.overlays)
        names << QStringLiteral("%1 total_kv_bytes").arg(overlay.label);
    QString out = header(names) + QLatin1Char('\n');
    for (std::size_t i = 0; i < data.steps.size(); ++i) {
        QStringList fields{csvNumber(data.steps[i]), at(data.positions, i)};
        for (const std::vector<double>& layer : data.layers)
            fields << at(layer, i);
        fields << at(data.total, i) << at(data.allocated, i);
        for (const CacheGrowthData::Overlay& overlay : data.overlays)
            fields << at(overlay.total, i);
        row(out, fields);
    }
    return out;
}

QString costCsv(const CostData& data) {
    const std::vector<double> cached_ms_sum = cumulative(data.cached_ms);
    const std::vector<double> recompute_ms_sum = cumulative(data.recompute_ms);
    const std::vector<double> cached_flops_sum = cumulative(data.cached_flops);
    const std::vector<double> recompute_flops_sum = cumulative(data.recompute_flops);
    QString out = QStringLiteral(
        "step,cached_ms,recompute_ms,cached_ms_cumulative,recompute_ms_cumulative,"
        "cached_flops,recompute_flops,cached_flops_cumulative,recompute_flops_cumulative\n");
    for (std::size_t i = 0; i < data.steps.size(); ++i) {
        row(out,
            {csvNumber(data.steps[i]), at(data.cached_ms, i), at(data.recompute_ms, i),
             at(cached_ms_sum, i), at(recompute_ms_sum, i), at(data.cached_flops, i),
             at(data.recompute_flops, i), at(cached_flops_sum, i), at(recompute_flops_sum, i)});
    }
    return out;
}

QString contextChartCsv(const MemoryContextChart& chart) {
    QString out = QStringLiteral("curve,context_tokens,kv_bytes\n");
    for (int c = 0; c < chart.curveCount(); ++c) {
        const ContextCurve& curve = chart.curve(c);
        for (std::size_t i = 0; i < curve.curve.contexts.size(); ++i) {
            row(out,
                {field(curve.label), QString::number(curve.curve.contexts[i]),
                 i < curve.curve.bytes.size() ? QString::number(curve.curve.bytes[i]) : QString()});
        }
    }
    return out;
}

QString capacityChartCsv(const MemoryCapacityChart& chart) {
    const QList<QBarSet*> sets = chart.bars() ? chart.bars()->barSets() : QList<QBarSet*>();
    QStringList categories;
    if (auto* axis = qobject_cast<QBarCategoryAxis*>(chart.chart()->axes(Qt::Horizontal).value(0)))
        categories = axis->categories();
    QStringList names{QStringLiteral("variant")};
    for (const QBarSet* set : sets)
        names << QStringLiteral("%1_bytes").arg(set->label());
    names << QStringLiteral("total_bytes") << QStringLiteral("gpu_bytes")
          << QStringLiteral("usable_bytes");
    QString out = header(names) + QLatin1Char('\n');
    const QString gpu =
        chart.capacityLine() ? csvNumber(chart.capacityLine()->at(0).y()) : QString();
    const QString usable =
        chart.usableLine() ? csvNumber(chart.usableLine()->at(0).y()) : QString();
    for (qsizetype c = 0; c < categories.size(); ++c) {
        QStringList fields{field(categories[c])};
        double total = 0;
        for (const QBarSet* set : sets) {
            const double bytes = c < set->count() ? set->at(c) : 0.0;
            total += bytes;
            fields << csvNumber(bytes);
        }
        fields << csvNumber(total) << gpu << usable;
        row(out, fields);
    }
    return out;
}

QString poolCsv(const sim::PoolSnapshot& pool) {
    QString out = QStringLiteral("cell,state,ref_count,fill_tokens,capacity_tokens,owners\n");
    for (std::size_t i = 0; i < pool.cells.size(); ++i) {
        const sim::PoolCell& cell = pool.cells[i];
        const char* state = cell.state == sim::CellState::InUse        ? "in-use"
                            : cell.state == sim::CellState::CachedFree ? "cached-free"
                                                                       : "free";
        QStringList owners;
        for (const sim::SimSeq& seq : cell.owners)
            owners << QStringLiteral("%1.%2").arg(seq.request).arg(seq.sample);
        row(out, {QString::number(i), QLatin1String(state), QString::number(cell.ref_count),
                  QString::number(cell.fill), QString::number(cell.capacity), owners.join(' ')});
    }
    return out;
}

QString chartSeriesCsv(const QChart& chart) {
    const QString x_title = axisTitle(chart, Qt::Horizontal);
    const QString y_title = axisTitle(chart, Qt::Vertical);
    QString out =
        header({QStringLiteral("series"),
                x_title.isEmpty() ? QStringLiteral("x") : QStringLiteral("x (%1)").arg(x_title),
                y_title.isEmpty() ? QStringLiteral("y") : QStringLiteral("y (%1)").arg(y_title)}) +
        QLatin1Char('\n');
    QStringList categories;
    if (auto* axis = qobject_cast<QBarCategoryAxis*>(chart.axes(Qt::Horizontal).value(0)))
        categories = axis->categories();
    for (const QAbstractSeries* series : chart.series()) {
        if (const auto* xy = qobject_cast<const QXYSeries*>(series)) {
            for (const QPointF& point : xy->points())
                row(out, {field(xy->name()), csvNumber(point.x()), csvNumber(point.y())});
        } else if (const auto* bars = qobject_cast<const QAbstractBarSeries*>(series)) {
            for (const QBarSet* set : bars->barSets()) {
                for (qsizetype i = 0; i < set->count(); ++i) {
                    row(out, {field(set->label()),
                              field(i < categories.size() ? categories[i] : QString::number(i)),
                              csvNumber(set->at(i))});
                }
            }
        }
    }
    return out;
}

}  // namespace kvscope

#include "ui/generate/step_explanation.h"

#include <QCoreApplication>

#include "core/engine/step_cost.h"
#include "ui/style/format_bytes.h"

namespace kvscope {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("StepExplanation", text);
}

QString quoted(const TraceModel& trace, TokenId id) {
    return QStringLiteral("<b><tt>%1</tt></b>").arg(trace.label(id).toHtmlEscaped());
}

std::int64_t bytesHeld(const StepRecord* record) {
    return record ? record->kvBytesHeld() : 0;
}

std::int64_t bytesAllocated(const StepRecord* record) {
    std::int64_t total = 0;
    for (const LayerRecord& layer : record->layers)
        total += layer.bytes_allocated;
    return total;
}

}  // namespace

QString explainStep(const TraceModel& trace) {
    const StepRecord* record = trace.current();
    if (!record) {
        return tr(
            "Type a prompt and press <b>Prefill</b>: the model reads it in one pass and "
            "stores a key and a value vector per token and layer in the KV cache. Each "
            "<b>Step</b> then adds one token.");
    }
    const ModelConfig& config = trace.config();
    const std::int64_t n_new = std::int64_t(record->tokens.size());
    const std::int64_t held = record->positionsAfter();
    const std::span<const StepRecord> shown = trace.shown();
    const StepRecord* previous = shown.size() >= 2 ? &shown[shown.size() - 2] : nullptr;
    const std::int64_t added = record->kvBytesHeld() - bytesHeld(previous);
    const QString next = tr("It then sampled %1 (p = %2) as the next token.")
                             .arg(quoted(trace, record->next_token))
                             .arg(double(record->next_prob), 0, 'f', 2);
    const bool cached = trace.trace().scenario.mode == CacheMode::Cached;

    if (record->phase == Phase::Prefill) {
        return tr("<b>Prefill</b> ran all %1 prompt tokens through the %2 layers in one pass, "
                  "computing K and V for each: %1 rows per layer, %3 written to the cache. %4")
            .arg(n_new)
            .arg(config.n_layers)
            .arg(bytesText(added), next);
    }
    const std::int64_t step = std::int64_t(shown.size()) - 1;
    if (!cached) {
        return tr("<b>Decode step %1</b> in recompute mode fed %2 and, with no cache kept, "
                  "recomputed K and V for all %3 positions in every layer: %4 GFLOP where a "
                  "cache would need %5. %6")
            .arg(step)
            .arg(quoted(trace, record->tokens.front()))
            .arg(held)
            .arg(record->cost.flops / 1e9, 0, 'g', 3)
            .arg(forwardCost(config, record->first_pos, 1, 1).flops / 1e9, 0, 'g', 3)
            .arg(next);
    }
    const double recompute = forwardCost(config, 0, held, 1).flops;
    const EvictionSpec& eviction = trace.trace().scenario.eviction;
    if (eviction.bounded() && !record->layers.empty() &&
        !record->layers.front().held_positions.empty()) {
        // A bounded cache: the step read what the layer held (its budget), not every position.
        const auto kept = std::int64_t(record->layers.front().held_positions.size());
        return tr("<b>Decode step %1</b> fed %2 at position %3. The bounded cache (%4) first "
                  "evicted down to its budget, so each of the %5 layers read %6 cached rows, not "
                  "%3; layer 0 now holds %7 of the %8 positions seen, %9 held, %10 allocated. %11")
            .arg(step)
            .arg(quoted(trace, record->tokens.front()))
            .arg(record->first_pos)
            .arg(QString::fromStdString(eviction.label()).toHtmlEscaped())
            .arg(config.n_layers)
            .arg(kept - n_new)
            .arg(kept)
            .arg(held)
            .arg(bytesText(record->kvBytesHeld()), bytesText(bytesAllocated(record)), next);
    }
    return tr("<b>Decode step %1</b> fed %2 at position %3. Each of the %4 layers computed one new "
              "K and V row (%5 in all) and read the %6 cached rows instead of recomputing them; "
              "the cache now holds %7 positions, %8. Without the cache this step would cost "
              "%9\u00d7 the FLOPs. %10")
        .arg(step)
        .arg(quoted(trace, record->tokens.front()))
        .arg(record->first_pos)
        .arg(config.n_layers)
        .arg(bytesText(added))
        .arg(record->first_pos)
        .arg(held)
        .arg(bytesText(record->kvBytesHeld()))
        .arg(recompute / std::max(record->cost.flops, 1.0), 0, 'f', 1)
        .arg(next);
}

}  // namespace kvscope

#include "ui/generate/step_explanation.h"

#include <QCoreApplication>
#include <QStringList>
#include <algorithm>
#include <vector>

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

/// Entries a layer holds after the step: each KV head's count when the heads keep their own (all
/// the same), else the layer's.
std::int64_t heldCount(const LayerRecord& layer) {
    return std::int64_t(layer.held_positions_per_head.empty()
                            ? layer.held_positions.size()
                            : layer.held_positions_per_head.front().size());
}

/// What each layer of a bounded cache read from its cache in `record` (what it held after the
/// step, less the `n_new` rows the step wrote), layers of the same kind and count together: "the
/// 5 local layers (window 10) read 9 cached rows, layer 5 read 21 cached rows", or "each of the
/// 4 layers read 7 cached rows" when they all read the same. `verb` ("%1 read %2 cached rows",
/// or "%1 kept %2 rows" after a prefill with n_new = 0) says it of one group.
QString layerReads(const ModelConfig& config, const StepRecord& record, std::int64_t n_new,
                   const char* verb = "%1 read %2 cached rows") {
    struct Group {
        std::int64_t window = 0, read = 0, first_layer = 0, count = 0;
    };
    std::vector<Group> groups;
    for (std::int64_t l = 0; l < std::int64_t(record.layers.size()); ++l) {
        const std::int64_t window = config.layerWindow(l);
        const std::int64_t read =
            std::max<std::int64_t>(heldCount(record.layers[std::size_t(l)]) - n_new, 0);
        const auto same = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
            return g.window == window && g.read == read;
        });
        if (same != groups.end()) {
            ++same->count;
        } else {
            groups.push_back({window, read, l, 1});
        }
    }
    const bool any_local =
        std::any_of(groups.begin(), groups.end(), [](const Group& g) { return g.window > 0; });
    if (groups.size() == 1 && !any_local)
        return tr(verb)
            .arg(tr("each of the %1 layers").arg(groups.front().count))
            .arg(groups.front().read);
    QStringList parts;
    for (const Group& g : groups) {
        const QString kind = g.window > 0 ? tr("local") : any_local ? tr("global") : QString();
        const QString window = g.window > 0 ? tr(" (window %1)").arg(g.window) : QString();
        const QString who =
            g.count == 1
                ? (kind.isEmpty() ? tr("layer %1").arg(g.first_layer)
                                  : tr("%1 layer %2").arg(kind).arg(g.first_layer)) +
                      window
                : tr("the %1 %2layers").arg(g.count).arg(kind.isEmpty() ? kind : kind + ' ') +
                      window;
        parts << tr(verb).arg(who).arg(g.read);
    }
    return parts.join(QStringLiteral(", "));
}

/// LongRoPE's factor set for a step of a session whose context is `n_ctx`: llama.cpp (and
/// KVScope) choose it once per session, by that context, so every step of it used the same set
/// whatever its position. Empty for other models.
QString ropeNote(const ModelConfig& config, std::int64_t n_ctx, const StepRecord& record) {
    if (config.rope_scaling != RopeScaling::LongRope) return {};
    const std::int64_t orig = config.ropeOrigContext();
    const bool long_set = n_ctx > orig;
    const std::int64_t last = record.positionsAfter() - 1;
    const QString where =
        long_set ? (last < orig ? tr(" (its positions are still below %1)").arg(orig) : QString())
                 : QString();
    return tr(" RoPE: this step rotated Q and K with the LongRoPE <b>%1 factors</b>%2, as every "
              "step of this session does: the set is chosen once, by the session's context "
              "(%3 %4 the original %5), not by position, as llama.cpp does.")
        .arg(long_set ? tr("long") : tr("short"), where)
        .arg(n_ctx)
        .arg(long_set ? QStringLiteral("&gt;") : QStringLiteral("&lt;="))
        .arg(orig);
}

QString explainRecord(const TraceModel& trace);

}  // namespace

QString explainStep(const TraceModel& trace) {
    const StepRecord* record = trace.current();
    if (!record) return explainRecord(trace);
    return explainRecord(trace) + ropeNote(trace.config(), trace.maxContext(), *record);
}

namespace {

QString explainRecord(const TraceModel& trace) {
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
        // A bounded cache cuts each layer to its window or budget right after the pass.
        const bool cut = std::any_of(
            record->layers.begin(), record->layers.end(), [&](const LayerRecord& layer) {
                return !layer.held_positions.empty() && heldCount(layer) < n_new;
            });
        if (cut) {
            return tr("<b>Prefill</b> ran all %1 prompt tokens through the %2 layers in one "
                      "pass, computing K and V for each: %1 rows per layer. Then each layer kept "
                      "what its window or budget allows: %3; %4 held in the cache. %5")
                .arg(n_new)
                .arg(config.n_layers)
                .arg(layerReads(config, *record, 0, "%1 kept %2 rows"), bytesText(added), next);
        }
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
    if (!record->layers.empty() && !record->layers.front().held_positions.empty()) {
        // A bounded cache (a policy, or the model's sliding-window layers): each layer read what
        // it held, not every position.
        const QString why = eviction.bounded()
                                ? tr("The bounded cache (%1) first evicted down to its budget")
                                      .arg(QString::fromStdString(eviction.label()).toHtmlEscaped())
                                : tr("The local layers keep only their sliding window");
        return tr("<b>Decode step %1</b> fed %2 at position %3. %4, so %5 of the %3 positions "
                  "before it; layer 0 now holds %6 of the %7 positions seen%8, %9 held, %10 "
                  "allocated. %11")
            .arg(step)
            .arg(quoted(trace, record->tokens.front()))
            .arg(record->first_pos)
            .arg(why, layerReads(config, *record, n_new))
            .arg(heldCount(record->layers.front()))
            .arg(held)
            .arg(record->layers.front().held_positions_per_head.empty()
                     ? QString()
                     : tr(" (each KV head its own %1)").arg(heldCount(record->layers.front())))
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

}  // namespace
}  // namespace kvscope

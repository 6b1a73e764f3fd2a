#include "core/trace/chrome_trace.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/util/json_writer.h"

namespace kvscope {

namespace {

constexpr int kPid = 1;
constexpr int kTid = 1;
constexpr std::string_view kLayerTiming =
    "estimated: the step's measured wall time split by analytic FLOPs (per-layer time is not "
    "measured)";

/// Microseconds from integral nanoseconds: shortest digits, exact to the nanosecond.
double micros(std::int64_t ns) {
    return double(ns) / 1000.0;
}

void beginEvent(JsonWriter& json, std::string_view name, std::string_view phase) {
    json.beginObject();
    json.field("name", name);
    json.field("ph", phase);
    json.field("pid", kPid);
    json.field("tid", kTid);
}

void writeMetadata(JsonWriter& json, std::string_view name, const std::string& value) {
    beginEvent(json, name, "M");
    json.key("args").beginObject().field("name", value).endObject();
    json.endObject();
}

void writeSpan(JsonWriter& json, std::string_view name, std::string_view category,
               std::int64_t start_ns, std::int64_t end_ns) {
    beginEvent(json, name, "X");
    json.field("cat", category);
    json.field("ts", micros(start_ns));
    json.field("dur", micros(end_ns - start_ns));
}

/// The analytic FLOPs of each layer and of the output logits: [n_layers + 1]. The classifier
/// (2 * vocab * d_model for the one position whose logits are computed) is taken off the step's
/// total; the rest splits evenly, all layers having the same shape.
std::vector<double> partFlops(const Trace& trace, const StepRecord& record) {
    const ModelConfig& c = trace.model_info.config;
    const std::size_t n_layers = record.layers.size();
    const double total = std::max(0.0, record.cost.flops);
    const double logits = std::min(total, 2.0 * double(c.vocab) * double(c.d_model));
    std::vector<double> parts(n_layers + 1,
                              n_layers > 0 ? (total - logits) / double(n_layers) : 0.0);
    parts.back() = logits;
    return parts;
}

void writeCounters(JsonWriter& json, const StepRecord* record, std::size_t n_layers,
                   std::int64_t at_ns) {
    std::int64_t held = 0, allocated = 0;
    if (record != nullptr) {
        held = record->kvBytesHeld();
        for (const LayerRecord& layer : record->layers)
            allocated += layer.bytes_allocated;
    }
    beginEvent(json, "KV bytes", "C");
    json.field("ts", micros(at_ns));
    json.key("args").beginObject();
    json.field("held", held);
    json.field("allocated", allocated);
    json.endObject();
    json.endObject();

    beginEvent(json, "KV bytes per layer", "C");
    json.field("ts", micros(at_ns));
    json.key("args").beginObject();
    for (std::size_t l = 0; l < n_layers; ++l) {
        const LayerRecord* layer = record != nullptr ? &record->layers[l] : nullptr;
        json.field("layer " + std::to_string(l),
                   layer != nullptr ? layer->k_bytes + layer->v_bytes : 0);
    }
    json.endObject();
    json.endObject();
}

std::string stepName(const StepRecord& record) {
    if (record.phase == Phase::Prefill)
        return "prefill " + std::to_string(record.tokens.size()) + " tokens";
    return "decode pos " + std::to_string(record.first_pos);
}

std::string labelOf(const Trace& trace, TokenId id) {
    const auto found = trace.tokens.find(id);
    return found == trace.tokens.end() ? std::to_string(id) : found->second.label;
}

void writeStep(JsonWriter& json, const Trace& trace, std::size_t step, std::int64_t start_ns,
               std::int64_t end_ns) {
    const StepRecord& record = trace.records[step];
    writeSpan(json, stepName(record), "step", start_ns, end_ns);
    json.key("args").beginObject();
    json.field("step", step);
    json.field("phase", toString(record.phase));
    json.field("first_pos", record.first_pos);
    json.field("n_tokens", record.tokens.size());
    json.field("next_token", record.next_token);
    json.field("next_label", labelOf(trace, record.next_token));
    json.field("next_prob", record.next_prob);
    json.field("wall_ms", record.wall_ms);
    json.field("flops", record.cost.flops);
    json.field("bytes_moved", record.cost.bytesMoved());
    json.field("kv_bytes", record.kvBytesHeld());
    json.endObject();
    json.endObject();

    const std::vector<double> parts = partFlops(trace, record);
    double total = 0;
    for (double part : parts)
        total += part;
    const double span_ns = double(end_ns - start_ns);
    double done = 0;
    std::int64_t part_start = start_ns;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        done += parts[i];
        // Cumulative rounding: the parts tile the step exactly.
        const std::int64_t part_end =
            i + 1 == parts.size()
                ? end_ns
                : start_ns + std::llround(total > 0
                                              ? span_ns * done / total
                                              : span_ns * double(i + 1) / double(parts.size()));
        const bool logits = i + 1 == parts.size();
        writeSpan(json, logits ? "logits" : "layer " + std::to_string(i),
                  logits ? "logits" : "layer", part_start, part_end);
        json.key("args").beginObject();
        if (!logits) {
            const LayerRecord& layer = record.layers[i];
            json.field("layer", i);
            json.field("k_bytes", layer.k_bytes);
            json.field("v_bytes", layer.v_bytes);
            json.field("bytes_allocated", layer.bytes_allocated);
        }
        json.field("flops", parts[i]);
        json.field("timing", kLayerTiming);
        json.endObject();
        json.endObject();
        part_start = part_end;
    }
}

}  // namespace

void writeChromeTrace(const Trace& trace, std::ostream& out) {
    const std::size_t n_layers = trace.records.empty() ? 0 : trace.records.front().layers.size();
    JsonWriter json(out);
    json.beginObject();
    json.field("displayTimeUnit", "ms");
    json.key("otherData").beginObject();
    json.field("generator", "KVScope");
    json.field("model", trace.model_info.config.name);
    json.field("scenario_model", trace.scenario.model);
    json.field("backend", trace.backend);
    json.field("layer_timing", kLayerTiming);
    json.endObject();
    json.key("traceEvents").beginArray();
    writeMetadata(json, "process_name", "KVScope " + trace.model_info.config.name);
    writeMetadata(json, "thread_name", "steps");
    writeCounters(json, nullptr, n_layers, 0);
    std::int64_t now_ns = 0;
    for (std::size_t step = 0; step < trace.records.size(); ++step) {
        const StepRecord& record = trace.records[step];
        const double wall_ns = record.wall_ms * 1e6;
        const std::int64_t dur_ns =
            std::isfinite(wall_ns) && wall_ns > 0 ? std::llround(wall_ns) : 0;
        writeStep(json, trace, step, now_ns, now_ns + dur_ns);
        now_ns += dur_ns;
        writeCounters(json, &record, std::min(n_layers, record.layers.size()), now_ns);
    }
    json.endArray();
    json.endObject();
    out << "\n";
}

}  // namespace kvscope

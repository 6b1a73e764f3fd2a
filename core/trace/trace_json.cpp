#include "core/trace/trace_json.h"

#include <sstream>

#include "core/trace/eviction_json.h"
#include "core/trace/trace_text.h"
#include "core/util/json_writer.h"

namespace kvscope {

namespace {

void writeScenario(JsonWriter& json, const Scenario& scenario) {
    json.beginObject();
    json.field("model", scenario.model);
    json.field("prompt", scenario.prompt);
    json.field("max_new_tokens", scenario.max_new_tokens);
    json.key("sampling").beginObject();
    json.field("temperature", scenario.sampling.temperature);
    json.field("top_k", scenario.sampling.top_k);
    json.field("top_p", scenario.sampling.top_p);
    // A string: JSON readers commonly lose integers above 2^53, and seeds use all 64 bits.
    json.field("seed", std::to_string(scenario.sampling.seed));
    json.endObject();
    json.field("mode", toString(scenario.mode));
    json.field("cache_layout", toString(scenario.cache_layout));
    json.field("block_size", scenario.block_size);
    json.field("cache_spec", scenario.cache_spec.label());
    json.field("max_context", scenario.max_context);
    if (hasEvictionSettings(scenario)) {
        json.key("eviction").beginObject();
        for (const auto& [name, value] : evictionMembers(scenario))
            std::visit([&json, &name](const auto& v) { json.field(name, v); }, value);
        json.endObject();
    }
    json.endObject();
}

void writeModel(JsonWriter& json, const TraceModelInfo& info) {
    const ModelConfig& c = info.config;
    json.beginObject();
    json.field("name", c.name);
    json.field("n_layers", c.n_layers);
    json.field("d_model", c.d_model);
    json.field("n_heads", c.n_heads);
    json.field("n_kv_heads", c.n_kv_heads);
    json.field("head_dim", c.head_dim);
    json.field("d_ff", c.d_ff);
    json.field("vocab", c.vocab);
    json.field("max_context", c.max_context);
    json.field("rope_theta", c.rope_theta);
    json.field("norm_eps", c.norm_eps);
    json.field("tied_output", c.tied_output);
    json.field("bos", info.bos);
    json.field("eos", info.eos);
    json.endObject();
}

void writeTokens(JsonWriter& json, const std::map<TokenId, TraceToken>& tokens) {
    json.beginArray();
    for (const auto& [id, token] : tokens) {
        json.beginObject();
        json.field("id", id);
        json.field("label", token.label);
        json.field("text_hex", hexBytes(token.text));
        json.field("special", token.special);
        json.endObject();
    }
    json.endArray();
}

void writeLayer(JsonWriter& json, const LayerRecord& layer) {
    json.beginObject();
    json.field("k_bytes", layer.k_bytes);
    json.field("v_bytes", layer.v_bytes);
    json.field("bytes_allocated", layer.bytes_allocated);
    // Optional (version 3 on): the paged layout's holes, absent when there are none.
    if (layer.holes > 0) json.field("holes", layer.holes);
    // Version 3: what a bounded cache holds (absent when every position is held).
    if (!layer.held_positions.empty()) {
        json.key("held_positions").beginArray();
        for (std::int64_t p : layer.held_positions)
            json.value(p);
        json.endArray();
    }
    if (!layer.held_positions_per_head.empty()) {
        json.key("held_positions_per_head").beginArray();
        for (const std::vector<std::int64_t>& head : layer.held_positions_per_head) {
            json.beginArray();
            for (std::int64_t p : head)
                json.value(p);
            json.endArray();
        }
        json.endArray();
    }
    json.key("attention").beginArray();
    for (const Matrix& head : layer.attention) {  // [n_query][n_keys]
        json.beginArray();
        for (Eigen::Index row = 0; row < head.rows(); ++row) {
            json.beginArray();
            for (Eigen::Index col = 0; col < head.cols(); ++col)
                json.value(head(row, col));
            json.endArray();
        }
        json.endArray();
    }
    json.endArray();
    json.endObject();
}

void writeCost(JsonWriter& json, const StepCost& cost) {
    json.beginObject();
    json.field("flops", cost.flops);
    json.field("weight_bytes_read", cost.weight_bytes_read);
    json.field("kv_bytes_read", cost.kv_bytes_read);
    json.field("kv_bytes_written", cost.kv_bytes_written);
    json.endObject();
}

void writeRecord(JsonWriter& json, const StepRecord& record, CacheMode mode,
                 const std::optional<OtherModeCost>& other) {
    json.beginObject();
    json.field("phase", toString(record.phase));
    json.field("first_pos", record.first_pos);
    json.key("tokens").beginArray();
    for (TokenId id : record.tokens)
        json.value(id);
    json.endArray();
    json.field("next_token", record.next_token);
    json.field("next_prob", record.next_prob);
    json.key("top_k").beginArray();
    for (const TokenProb& candidate : record.top_k) {
        json.beginObject();
        json.field("id", candidate.id);
        json.field("prob", candidate.prob);
        json.endObject();
    }
    json.endArray();
    json.key("cost");
    writeCost(json, record.cost);
    json.field("wall_ms", record.wall_ms);
    if (other) {
        json.key("other_mode").beginObject();
        json.field("mode", toString(otherMode(mode)));
        json.key("cost");
        writeCost(json, other->cost);
        json.field("wall_ms", other->wall_ms);
        json.endObject();
    }
    json.key("layers").beginArray();
    for (const LayerRecord& layer : record.layers)
        writeLayer(json, layer);
    json.endArray();
    json.endObject();
}

}  // namespace

void writeTraceJson(const Trace& trace, std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    json.field("schema", kTraceSchemaName);
    json.field("version", kTraceSchemaVersion);
    json.key("scenario");
    writeScenario(json, trace.scenario);
    json.field("backend", trace.backend);
    json.key("model");
    writeModel(json, trace.model_info);
    json.key("tokens");
    writeTokens(json, trace.tokens);
    json.key("records").beginArray();
    for (std::size_t r = 0; r < trace.records.size(); ++r) {
        writeRecord(json, trace.records[r], trace.scenario.mode,
                    r < trace.other_mode.size() ? trace.other_mode[r] : std::nullopt);
    }
    json.endArray();
    json.endObject();
    out << "\n";
}

std::string traceJsonString(const Trace& trace) {
    std::ostringstream out;
    writeTraceJson(trace, out);
    return out.str();
}

}  // namespace kvscope

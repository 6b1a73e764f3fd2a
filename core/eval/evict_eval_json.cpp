#include "core/eval/evict_eval_json.h"

#include "core/util/json_writer.h"

namespace kvscope {

namespace {

void setupJson(const EvictEvalSetup& setup, JsonWriter& json) {
    json.field("model", setup.model);
    json.field("source", setup.source);
    json.field("layout", setup.layout);
    json.field("kv", setup.kv);
}

void specJson(const EvictionSpec& spec, JsonWriter& json) {
    json.field("policy", std::string(toString(spec.policy)));
    json.field("budget", spec.budget);
    json.field("sinks", spec.sinks);
    json.field("window", spec.effectiveWindow());
    json.field("positions", std::string(toString(spec.positions)));
    json.field("per_head", spec.headWise());
    json.field("budget_shape", std::string(toString(spec.shape)));
}

/// The fields a single run's row and a pooled row share.
template <class Row>
void metricsJson(const Row& r, JsonWriter& json) {
    json.field("label", r.label);
    specJson(r.spec, json);
    json.field("logical_bytes", r.logical_bytes);
    json.field("physical_bytes", r.physical_bytes);
    json.field("holes", r.holes);
    json.field("perplexity", r.perplexity);
    json.field("perplexity_delta", r.perplexity_delta);
    json.field("top1_agreement", r.top1_agreement);
    json.field("logits_kl_mean", r.logits_kl_mean);
    json.field("logits_kl_max", r.logits_kl_max);
}

/// `name`: [values], one per compared step.
void stepArrayJson(std::string_view name, const std::vector<std::int64_t>& values,
                   JsonWriter& json) {
    json.key(name).beginArray();
    for (std::int64_t v : values)
        json.value(v);
    json.endArray();
}

}  // namespace

EvictEvalSetup evictEvalSetup(std::string model, std::string source, CacheLayout layout,
                              std::int64_t block_size, const KvCacheSpec& kv) {
    EvictEvalSetup setup;
    setup.model = std::move(model);
    setup.source = std::move(source);
    setup.layout = layout == CacheLayout::Paged ? "paged (block " + std::to_string(block_size) + ")"
                                                : "contiguous";
    setup.kv = kv.label();
    return setup;
}

void writeEvictEvalJson(const EvictEvalSetup& setup, const EvictEvalResult& result,
                        std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    setupJson(setup, json);
    json.field("n_tokens", std::int64_t(result.tokens.size()));
    json.field("prefill_tokens", result.prefill_tokens);
    json.field("n_steps", result.reference.n_steps);
    json.field("reference_perplexity", result.reference.perplexity);
    json.field("reference_logical_bytes", result.reference.logical_bytes);
    json.field("reference_physical_bytes", result.reference.physical_bytes);
    json.key("rows").beginArray();
    for (const EvictEvalRow& r : result.rows) {
        json.beginObject();
        metricsJson(r, json);
        json.field("held_tokens", r.held_tokens);
        json.field("first_divergence", r.first_divergence);
        // [n_steps] each, after each compared step (the prompt's pass first); a reader that
        // predates them skips them.
        if (!r.step_logical_bytes.empty()) {
            stepArrayJson("step_logical_bytes", r.step_logical_bytes, json);
            stepArrayJson("step_physical_bytes", r.step_physical_bytes, json);
            stepArrayJson("step_holes", r.step_holes, json);
        }
        json.endObject();
    }
    json.endArray();
    json.endObject();
    out << "\n";
}

void writeEvictSweepJson(const EvictEvalSetup& setup, const EvictSweepResult& result,
                         std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    setupJson(setup, json);
    json.field("n_sequences", result.n_sequences);
    json.field("n_steps", result.reference.n_steps);
    json.field("reference_perplexity", result.reference.perplexity);
    json.key("rows").beginArray();
    for (const EvictSweepRow& r : result.rows) {
        json.beginObject();
        metricsJson(r, json);
        json.field("first_divergence_median", r.first_divergence_median);
        json.field("first_divergence_min", r.first_divergence_min);
        json.endObject();
    }
    json.endArray();
    json.endObject();
    out << "\n";
}

void writeNeedleJson(const EvictEvalSetup& setup, std::int64_t length,
                     const std::vector<NeedleResult>& results, std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    setupJson(setup, json);
    json.field("prompt_tokens", length);
    json.key("rows").beginArray();
    for (const NeedleResult& r : results) {
        json.beginObject();
        json.field("label", r.spec.label());
        specJson(r.spec, json);
        json.field("needle_held", r.position_held);
        json.field("retrieved", r.retrieved);
        json.field("needle_prob", r.needle_prob);
        json.endObject();
    }
    json.endArray();
    json.endObject();
    out << "\n";
}

}  // namespace kvscope

#include "app/cli/quant_eval/quant_eval_output.h"

#include <algorithm>
#include <string>
#include <vector>

#include "app/cli/text_format.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

/// "4 (3)": steps whose top-1 differs from fp32's, and how many of them sit at fp32 near-ties.
std::string topMisses(const QuantEvalResult& result, const QuantEvalRow& row) {
    const std::int64_t misses =
        std::count(row.step_top1_match.begin(), row.step_top1_match.end(), false);
    return std::to_string(misses) + " (" + std::to_string(misses - decisiveMisses(result, row)) +
           ")";
}

std::vector<std::string> cells(const QuantEvalResult& result, const QuantEvalRow& row,
                               bool reference) {
    const std::string divergence =
        reference ? "-"
                  : (row.first_divergence == 0 ? "none" : std::to_string(row.first_divergence));
    std::string ppl = fixed(row.perplexity, 3);
    if (!reference)
        ppl += " (" + std::string(row.perplexity_delta >= 0 ? "+" : "") +
               fixed(row.perplexity_delta, 3) + ")";
    return {row.label,
            formatBytes(row.kv_bytes),
            fixed(row.ratio_to_fp16, 3),
            errorFigure(row.attn_l1_mean) + " / " + errorFigure(row.attn_l1_max),
            errorFigure(row.attn_kl_mean) + " / " + errorFigure(row.attn_kl_max),
            errorFigure(row.logits_kl_mean) + " / " + errorFigure(row.logits_kl_max),
            fixed(100.0 * row.top1_agreement, 1) + "%",
            topMisses(result, row),
            ppl,
            divergence};
}

void writeRow(const QuantEvalRow& row, const QuantEvalResult& result, JsonWriter& json) {
    json.beginObject();
    json.field("codec", row.label);
    json.field("k_dtype", toString(row.spec.k_dtype));
    json.field("v_dtype", toString(row.spec.v_dtype));
    json.field("recent_window", row.spec.recent_window);
    json.field("recent_dtype", toString(row.spec.recent_dtype));
    json.field("kivi_window", row.spec.kivi_window);
    json.field("kv_bytes", row.kv_bytes);
    json.field("kv_bytes_allocated", row.kv_bytes_allocated);
    json.field("ratio_to_fp16", row.ratio_to_fp16);
    json.field("attn_l1_mean", row.attn_l1_mean);
    json.field("attn_l1_max", row.attn_l1_max);
    json.field("attn_kl_mean", row.attn_kl_mean);
    json.field("attn_kl_max", row.attn_kl_max);
    json.field("logits_kl_mean", row.logits_kl_mean);
    json.field("logits_kl_max", row.logits_kl_max);
    json.field("top1_agreement", row.top1_agreement);
    json.field(
        "top1_misses_at_near_ties",
        std::int64_t(std::count(row.step_top1_match.begin(), row.step_top1_match.end(), false)) -
            decisiveMisses(result, row));
    json.field("perplexity", row.perplexity);
    json.field("perplexity_delta", row.perplexity_delta);
    json.field("first_divergence", row.first_divergence);
    json.field("free_steps", std::int64_t(result.reference_free.size()));
    json.endObject();
}

}  // namespace

void writeSetupFields(const QuantEvalSetup& setup, JsonWriter& json) {
    json.field("model", setup.model);
    json.field("source", setup.source);
    json.field("layout", setup.layout);
}

void writeQuantEvalTable(const QuantEvalSetup& setup, const QuantEvalResult& result,
                         std::ostream& out) {
    out << "KV cache quantization on " << setup.model << ": " << setup.source << "\n"
        << result.n_steps << " teacher-forced steps (" << result.tokens.size() << " tokens), "
        << setup.layout << " layout; every codec against the fp32 cache.\n"
        << "KV bytes: K + V held after the sequence (IEC units), scales, zero points and fp16\n"
        << "windows included. attn: attention rows vs fp32, L1 and KL, mean / max. logits KL:\n"
        << "next-token KL(fp32 || codec) in nats, mean / max. diverges: first free greedy step\n"
        << "(of " << result.reference_free.size() << ") whose token differs from fp32's.\n"
        << "misses (at ties): steps whose top-1 differs from fp32's (of them, at fp32 near-ties:\n"
        << "its top two logits within " << kNearTieMargin << " nats, " << nearTieCount(result)
        << " of the " << result.n_steps << " steps here).\n\n";
    const std::vector<std::string> header = {
        "codec",     "KV bytes", "vs fp16",          "attn L1",        "attn KL",
        "logits KL", "top-1",    "misses (at ties)", "perplexity (d)", "diverges"};
    std::vector<std::vector<std::string>> table = {header, cells(result, result.reference, true)};
    for (const QuantEvalRow& row : result.rows)
        table.push_back(cells(result, row, false));
    writeMarkdownTable(table, out);
    if (result.cancelled) out << "(cancelled: rows after the last one were not run)\n";
}

void writeQuantEvalJson(const QuantEvalSetup& setup, const QuantEvalResult& result,
                        std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    writeSetupFields(setup, json);
    json.field("n_tokens", std::int64_t(result.tokens.size()));
    json.field("n_steps", result.n_steps);
    json.field("fp16_kv_bytes", result.fp16_kv_bytes);
    json.field("near_tie_margin", kNearTieMargin);
    json.field("fp32_near_ties", nearTieCount(result));
    json.key("tokens").beginArray();
    for (TokenId id : result.tokens)
        json.value(id);
    json.endArray();
    json.key("reference");
    writeRow(result.reference, result, json);
    json.key("codecs").beginArray();
    for (const QuantEvalRow& row : result.rows)
        writeRow(row, result, json);
    json.endArray();
    json.field("cancelled", result.cancelled);
    json.endObject();
    out << "\n";
}

}  // namespace kvscope::cli

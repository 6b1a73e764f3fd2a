#include "app/cli/quant_eval_output.h"

#include <string>
#include <vector>

#include "app/cli/text_format.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

/// 3 significant digits in scientific form for small errors ("1.23e-04"), fixed otherwise.
std::string small(double x) {
    if (x == 0) return "0";
    char buf[32];
    std::snprintf(buf, sizeof buf, x < 1e-2 ? "%.2e" : "%.4f", x);
    return buf;
}

std::vector<std::string> cells(const QuantEvalRow& row, bool reference) {
    const std::string divergence =
        reference ? "-"
                  : (row.first_divergence == 0 ? "none" : std::to_string(row.first_divergence));
    std::string ppl = fixed(row.perplexity, 3);
    if (!reference)
        ppl += " (" + std::string(row.perplexity_delta >= 0 ? "+" : "") +
               fixed(row.perplexity_delta, 3) + ")";
    return {row.label,
            iecBytes(row.kv_bytes),
            fixed(row.ratio_to_fp16, 3),
            small(row.attn_l1_mean) + " / " + small(row.attn_l1_max),
            small(row.attn_kl_mean) + " / " + small(row.attn_kl_max),
            small(row.logits_kl_mean) + " / " + small(row.logits_kl_max),
            fixed(100.0 * row.top1_agreement, 1) + "%",
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
    json.field("perplexity", row.perplexity);
    json.field("perplexity_delta", row.perplexity_delta);
    json.field("first_divergence", row.first_divergence);
    json.field("free_steps", std::int64_t(result.reference_free.size()));
    json.endObject();
}

}  // namespace

void writeQuantEvalTable(const QuantEvalSetup& setup, const QuantEvalResult& result,
                         std::ostream& out) {
    out << "KV cache quantization on " << setup.model << ": " << setup.source << "\n"
        << result.n_steps << " teacher-forced steps (" << result.tokens.size() << " tokens), "
        << setup.layout << " layout; every codec against the fp32 cache.\n"
        << "KV bytes: K + V held after the sequence (IEC units), scales, zero points and fp16\n"
        << "windows included. attn: attention rows vs fp32, L1 and KL, mean / max. logits KL:\n"
        << "next-token KL(fp32 || codec) in nats, mean / max. diverges: first free greedy step\n"
        << "(of " << result.reference_free.size() << ") whose token differs from fp32's.\n\n";
    const std::vector<std::string> header = {"codec",   "KV bytes",       "vs fp16",
                                             "attn L1", "attn KL",        "logits KL",
                                             "top-1",   "perplexity (d)", "diverges"};
    std::vector<std::vector<std::string>> table = {header, cells(result.reference, true)};
    for (const QuantEvalRow& row : result.rows)
        table.push_back(cells(row, false));
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& line : table)
        for (std::size_t c = 0; c < line.size(); ++c)
            width[c] = std::max(width[c], displayWidth(line[c]));
    for (std::size_t r = 0; r < table.size(); ++r) {
        out << "| ";
        for (std::size_t c = 0; c < table[r].size(); ++c)
            out << (c == 0 ? padRight(table[r][c], width[c]) : padLeft(table[r][c], width[c]))
                << " |" << (c + 1 < table[r].size() ? " " : "");
        out << "\n";
        if (r == 0) {
            out << "|";
            for (std::size_t c = 0; c < width.size(); ++c)
                out << (c == 0 ? ":" : "-") << std::string(width[c], '-') << (c == 0 ? "-" : ":")
                    << "|";
            out << "\n";
        }
    }
    if (result.cancelled) out << "(cancelled: rows after the last one were not run)\n";
}

void writeQuantEvalJson(const QuantEvalSetup& setup, const QuantEvalResult& result,
                        std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    json.field("model", setup.model);
    json.field("source", setup.source);
    json.field("layout", setup.layout);
    json.field("n_tokens", std::int64_t(result.tokens.size()));
    json.field("n_steps", result.n_steps);
    json.field("fp16_kv_bytes", result.fp16_kv_bytes);
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

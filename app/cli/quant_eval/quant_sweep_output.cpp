#include "app/cli/quant_eval/quant_sweep_output.h"

#include <string>
#include <vector>

#include "app/cli/text_format.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

std::string percent(double fraction) {
    return fixed(100.0 * fraction, 1) + "%";
}

std::vector<std::string> cells(const QuantSweepRow& row, bool reference) {
    const std::int64_t misses = row.n_steps - row.top1_matches;
    std::string ppl = fixed(row.perplexity, 3);
    if (!reference)
        ppl += " (" + std::string(row.perplexity_delta >= 0 ? "+" : "") +
               fixed(row.perplexity_delta, 3) + ")";
    return {
        row.label,
        percent(row.top1_agreement),
        percent(row.top1_min) + " / " + percent(row.top1_median) + " / " + percent(row.top1_max),
        std::to_string(misses) + " (" + std::to_string(row.near_tie_misses) + ")",
        errorFigure(row.logits_kl_mean) + " / " + errorFigure(row.logits_kl_max),
        ppl};
}

void writeRow(const QuantSweepRow& row, JsonWriter& json) {
    json.beginObject();
    json.field("codec", row.label);
    json.field("n_steps", row.n_steps);
    json.field("top1_matches", row.top1_matches);
    json.field("top1_agreement", row.top1_agreement);
    json.field("top1_min", row.top1_min);
    json.field("top1_median", row.top1_median);
    json.field("top1_max", row.top1_max);
    json.key("sequence_top1").beginArray();
    for (double x : row.sequence_top1)
        json.value(x);
    json.endArray();
    json.field("top1_misses_at_near_ties", row.near_tie_misses);
    json.field("logits_kl_mean", row.logits_kl_mean);
    json.field("logits_kl_max", row.logits_kl_max);
    json.field("perplexity", row.perplexity);
    json.field("perplexity_delta", row.perplexity_delta);
    json.endObject();
}

}  // namespace

void writeQuantSweepTable(const QuantEvalSetup& setup, const QuantSweepResult& result,
                          std::ostream& out) {
    out << "KV cache quantization on " << setup.model << ", pooled over "
        << counted(result.n_sequences, "sequence") << ": " << setup.source << "\n"
        << result.n_steps << " teacher-forced steps in all, " << setup.layout
        << " layout; every codec against the fp32 cache.\n"
        << "top-1: agreement with fp32 over all steps; per sequence: min / median / max of each\n"
        << "sequence's own agreement. misses (at ties): steps whose top-1 differs from fp32's\n"
        << "(of them, at fp32 near-ties: its top two logits within " << kNearTieMargin << " nats, "
        << result.near_ties << " of\n"
        << "the " << result.n_steps
        << " steps). logits KL: KL(fp32 || codec) in nats, mean / max.\n"
        << "perplexity: of the sequences' next tokens (change vs fp32).\n\n";
    std::vector<std::vector<std::string>> table = {
        {"codec", "top-1", "per sequence", "misses (at ties)", "logits KL", "perplexity (d)"},
        cells(result.reference, true)};
    for (const QuantSweepRow& row : result.rows)
        table.push_back(cells(row, false));
    writeMarkdownTable(table, out);
    if (result.cancelled) out << "(cancelled: the sequences after the last one were not run)\n";
}

void writeQuantSweepJson(const QuantEvalSetup& setup, const QuantSweepResult& result,
                         std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    writeSetupFields(setup, json);
    json.field("n_sequences", result.n_sequences);
    json.field("n_steps", result.n_steps);
    json.field("near_tie_margin", kNearTieMargin);
    json.field("fp32_near_ties", result.near_ties);
    json.key("reference");
    writeRow(result.reference, json);
    json.key("codecs").beginArray();
    for (const QuantSweepRow& row : result.rows)
        writeRow(row, json);
    json.endArray();
    json.field("cancelled", result.cancelled);
    json.endObject();
    out << "\n";
}

}  // namespace kvscope::cli

#include "app/cli/evict_eval/evict_eval_output.h"

#include <vector>

#include "app/cli/text_format.h"
#include "core/util/format_bytes.h"

namespace kvscope::cli {

namespace {

std::string divergence(std::int64_t d, bool reference) {
    return reference ? "-" : (d == 0 ? "none" : std::to_string(d));
}

std::string ppl(double p, double delta, bool reference) {
    std::string out = fixed(p, 3);
    if (!reference) out += " (" + std::string(delta >= 0 ? "+" : "") + fixed(delta, 3) + ")";
    return out;
}

const std::vector<std::string> kHeader = {"policy",
                                          "held",
                                          "bytes logical / physical",
                                          "perplexity (change)",
                                          "top-1 agree",
                                          "logits KL mean / max",
                                          "first divergence"};

void writeSetup(const EvictEvalSetup& setup, std::ostream& out) {
    out << "model: " << setup.model << "\nsequence: " << setup.source << "\ncache: " << setup.layout
        << ", " << setup.kv << "\n\n";
}

/// "logical / physical", and the holes the paged layout left (entries allocated but held by no
/// layer) when there are any.
template <class Row>
std::string bytesCell(const Row& r) {
    std::string out = formatBytes(r.logical_bytes) + " / " + formatBytes(r.physical_bytes);
    if (r.holes > 0) out += " (" + counted(r.holes, "hole") + ")";
    return out;
}

}  // namespace

void writeEvictEvalTable(const EvictEvalSetup& setup, const EvictEvalResult& result,
                         std::ostream& out) {
    writeSetup(setup, out);
    std::vector<std::vector<std::string>> rows = {kHeader};
    const auto add = [&](const EvictEvalRow& r, bool reference) {
        rows.push_back({r.label, std::to_string(r.held_tokens), bytesCell(r),
                        ppl(r.perplexity, r.perplexity_delta, reference),
                        fixed(100.0 * r.top1_agreement, 1) + "%",
                        errorFigure(r.logits_kl_mean) + " / " + errorFigure(r.logits_kl_max),
                        divergence(r.first_divergence, reference)});
    };
    add(result.reference, true);
    for (const EvictEvalRow& r : result.rows)
        add(r, false);
    writeMarkdownTable(rows, out);
    out << "\n"
        << counted(result.reference.n_steps, "teacher-forced step") << " after a prompt of "
        << counted(result.prefill_tokens, "token") << "; first divergence: free greedy step.\n";
}

void writeEvictSweepTable(const EvictEvalSetup& setup, const EvictSweepResult& result,
                          std::ostream& out) {
    writeSetup(setup, out);
    std::vector<std::vector<std::string>> rows = {
        {"policy", "bytes logical / physical (max)", "perplexity (change)", "top-1 agree",
         "logits KL mean / max", "first divergence median (min)"}};
    const auto add = [&](const EvictSweepRow& r, bool reference) {
        rows.push_back({r.label, bytesCell(r), ppl(r.perplexity, r.perplexity_delta, reference),
                        fixed(100.0 * r.top1_agreement, 1) + "%",
                        errorFigure(r.logits_kl_mean) + " / " + errorFigure(r.logits_kl_max),
                        reference ? "-"
                                  : divergence(r.first_divergence_median, false) + " (" +
                                        divergence(r.first_divergence_min, false) + ")"});
    };
    add(result.reference, true);
    for (const EvictSweepRow& r : result.rows)
        add(r, false);
    writeMarkdownTable(rows, out);
    out << "\npooled over " << counted(result.n_sequences, "sequence") << ", "
        << counted(result.reference.n_steps, "step") << ".\n";
}

void writeNeedleResults(const EvictEvalSetup& setup, std::int64_t length,
                        const std::vector<NeedleResult>& results, bool as_json, std::ostream& out) {
    if (as_json) {
        writeNeedleJson(setup, length, results, out);
        return;
    }
    out << "model: " << setup.model << "\nneedle: \"zqj\" at positions 9-11 of a " << length
        << "-token prompt ending in \"z\", then \"q\" fed over the bounded cache\n\n";
    std::vector<std::vector<std::string>> rows = {
        {"policy", "needle held (layer 1)", "retrieved", "p(needle)"}};
    for (const NeedleResult& r : results) {
        rows.push_back({r.spec.label(), r.position_held ? "yes" : "no", r.retrieved ? "yes" : "no",
                        fixed(r.needle_prob, 3)});
    }
    writeMarkdownTable(rows, out);
}

}  // namespace kvscope::cli

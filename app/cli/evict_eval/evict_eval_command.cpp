// `kvscope-cli evict-eval`: each eviction policy (a bounded KV cache) against the full cache on
// the same tokens: perplexity, top-1 agreement, logits KL, bytes held, free-generation divergence.
#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli/activations_flag.h"
#include "app/cli/backend_flag.h"
#include "app/cli/command.h"
#include "app/cli/evict_eval/evict_eval_output.h"
#include "app/cli/generation.h"
#include "app/cli/input_files.h"
#include "app/cli/text_format.h"
#include "app/cli/threads_flag.h"
#include "core/eval/evict_eval.h"
#include "core/eval/needle_check.h"
#include "core/eval/quant_eval.h"
#include "core/memory/bounded_cache.h"
#include "core/memory/live_cache_spec.h"
#include "core/memory/model_shape.h"
#include "core/util/error.h"

namespace kvscope::cli {

namespace {

constexpr std::string_view kDefaultPolicies = "window,streaming,h2o,tova,snapkv,knorm";

constexpr FlagSpec kFlags[] = {
    {"model", "M", "model to run, e.g. builtin:demo or a .gguf file", true},
    {"text", "FILE", "teacher-force this text file (BOS in front, cut to the context)"},
    {"prompts", "FILE",
     "pool many sequences: one prompt per line, each continued by --steps full-cache greedy "
     "tokens"},
    {"policies", "LIST",
     "comma-separated: full window streaming h2o tova snapkv knorm (default: all but full)"},
    {"budget", "LIST", "entries each layer holds, or a comma-separated list (default 64)"},
    {"budget-bytes", "BYTES", "the budget as K + V bytes of all layers instead (with --kv)"},
    {"sinks", "S", "streaming: sink tokens always kept (default 4)"},
    {"window", "W", "h2o: recent entries kept (default budget/2); snapkv: observation window"},
    {"positions", "P", "original|rerotate: keys keep their positions or move to their slots"},
    {"budget-shape", "S", "uniform|pyramid: the same budget per layer, or more in lower layers"},
    {"per-head", "",
     "h2o, tova, snapkv, knorm: each KV head keeps its own entries (default: one set per layer)"},
    {"prefill", "N", "tokens fed in one pass first, the prompt SnapKV compresses (default 1)"},
    {"steps", "N", "--prompts: greedy tokens after each prompt; free-generation steps (200)"},
    {"kv", "SPEC", "KV precision of every run, as quant-eval's codecs (default f32)"},
    {"layout", "L", "contiguous|paged (default contiguous)"},
    {"block-size", "B", "paged block size (default 16)"},
    {"needle", "N",
     "instead of a text: the needle check on the demo model's induction head, a prompt of N "
     "tokens"},
    {"json", "", "print one JSON object instead of the table"},
    kThreadsFlag,
    kBackendFlag,
    kActivationsFlag,
};

constexpr std::string_view kDetails =
    "Runs the model on one token sequence with the full KV cache and with each policy of\n"
    "--policies at each --budget, feeding the same tokens (the first --prefill in one pass, the\n"
    "rest one at a time: teacher forcing), and compares the next-token logits step by step:\n"
    "perplexity and its change, top-1 agreement, KL(full || policy) mean / max; the bytes held\n"
    "after the sequence, logical (entries held x bytes per entry) and physical (allocated); and\n"
    "free greedy generation from the prompt: the first step whose token differs.\n"
    "Before each decode step every layer is cut to budget - 1 entries, so a query attends to at\n"
    "most `budget` entries, itself included; a long prompt is cut to the budget after its pass.\n"
    "Scores (h2o, tova, snapkv) sum the attention of every query head of a layer, and one set of\n"
    "entries is kept per layer; with --per-head each KV head keeps its own set (the same count),\n"
    "scored by its GQA query group's sum (knorm: by its own key norm).\n";

std::vector<std::string> splitList(std::string_view list, std::string_view flag) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = list.find(',', start);
        const std::string_view entry = list.substr(start, comma - start);
        if (entry.empty())
            throw InputError(std::string(flag) + ": empty entry in '" + std::string(list) + "'");
        out.emplace_back(entry);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

int runEvictEvalCommand(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
    if (int(args.has("text")) + int(args.has("prompts")) + int(args.has("needle")) != 1)
        throw InputError("--text, --prompts and --needle: give exactly one of them");
    if (args.has("budget") && args.has("budget-bytes"))
        throw InputError("--budget and --budget-bytes: give one of them, not both");
    // Everything about the specs is checked before the model loads.
    EvictionSpec base;
    if (args.has("sinks")) base.sinks = parseNonNegativeInt("sinks", args.value("sinks"));
    if (args.has("window")) base.window = parseNonNegativeInt("window", args.value("window"));
    if (args.has("positions"))
        base.positions = parseEvictionPositions(args.value("positions"), "--positions");
    if (args.has("budget-shape"))
        base.shape = parseBudgetShape(args.value("budget-shape"), "--budget-shape");
    base.per_head = args.has("per-head");
    std::vector<EvictionPolicy> policies;
    for (const std::string& name : splitList(
             args.optionalValue("policies").value_or(std::string(kDefaultPolicies)), "--policies"))
        policies.push_back(parseEvictionPolicy(name, "--policies"));
    EvictEvalOptions options;
    if (args.has("kv")) options.cache_spec = parseKvCacheSpec(args.value("kv"), "--kv");
    if (args.has("layout")) options.cache_layout = parseLayout(args.value("layout"));
    if (args.has("block-size"))
        options.block_size = parsePositiveInt("block-size", args.value("block-size"));
    if (args.has("prefill"))
        options.prefill_tokens = parsePositiveInt("prefill", args.value("prefill"));
    const std::int64_t steps =
        args.has("steps") ? parsePositiveInt("steps", args.value("steps")) : 200;
    options.free_steps = steps;
    std::vector<std::int64_t> budgets;
    if (!args.has("budget-bytes")) {
        for (const std::string& b :
             splitList(args.optionalValue("budget").value_or("64"), "--budget"))
            budgets.push_back(parseNonNegativeInt("budget", b));
    }
    const auto model = loadModelFlag(args.value("model"));
    const std::int64_t ctx = model->config.max_context;
    if (args.has("budget-bytes")) {
        const ModelShape shape = shapeFromModelConfig(model->config, "model");
        const CacheSpec spec =
            estimatorCacheSpec(options.cache_spec, options.cache_layout, options.block_size, ctx);
        budgets.push_back(budgetTokensForBytes(
            shape, spec, parsePositiveInt("budget-bytes", args.value("budget-bytes")),
            "--budget-bytes"));
    }
    std::vector<EvictionSpec> specs;
    for (EvictionPolicy p : policies) {
        for (std::int64_t b : p == EvictionPolicy::Full ? std::vector<std::int64_t>{0} : budgets) {
            EvictionSpec spec = base;
            spec.policy = p;
            spec.budget = b;
            checkEvictionSpec(spec, ctx);
            specs.push_back(spec);
        }
    }

    EvictEvalSetup setup = evictEvalSetup(model->config.name, "", options.cache_layout,
                                          options.block_size, options.cache_spec);
    const auto progress = [&](std::int64_t done, std::int64_t total) {
        err << "evict-eval: " << done << "/" << total << std::endl;
        return true;
    };
    if (args.has("needle")) {
        const std::int64_t length = parsePositiveInt("needle", args.value("needle"));
        if (length < 16 || length > ctx) {
            throw InputError("--needle: " + std::to_string(length) +
                             " must be in [16, the context " + std::to_string(ctx) + "]");
        }
        if (model->tokenizer->vocabSize() != 259)
            throw InputError("--needle: needs a byte-level model such as builtin:demo");
        writeNeedleResults(setup, length, runNeedleCheck(model, specs, length), args.has("json"),
                           out);
        return 0;
    }
    if (args.has("prompts")) {
        const std::string path = args.value("prompts");
        std::vector<std::vector<TokenId>> sequences;
        for (const PromptLine& prompt : readPrompts(path)) {
            const std::vector<TokenId> prompt_tokens = promptTokens(*model, prompt.text);
            try {
                checkContextFits(*model, std::int64_t(prompt_tokens.size()), steps, ctx, "--steps");
            } catch (const InputError& e) {
                throw InputError("--prompts: " + path + " line " + std::to_string(prompt.line) +
                                 ": " + e.what());
            }
            sequences.push_back(greedyContinuation(model, prompt_tokens, steps));
        }
        setup.source = counted(std::int64_t(sequences.size()), "prompt") + " of " + path +
                       ", each + " + counted(steps, "full-cache greedy token");
        const EvictSweepResult result = runEvictSweep(model, sequences, specs, options, progress);
        if (args.has("json"))
            writeEvictSweepJson(setup, result, out);
        else
            writeEvictSweepTable(setup, result, out);
        return 0;
    }
    const std::string path = args.value("text");
    std::vector<TokenId> tokens = promptTokens(*model, readText("text", path));
    if (std::int64_t(tokens.size()) > ctx) tokens.resize(std::size_t(ctx));
    if (tokens.size() < 2) throw InputError("--text: '" + path + "' holds no tokens");
    setup.source = "text " + path + " (" + std::to_string(tokens.size()) + " tokens)";
    const EvictEvalResult result = runEvictEval(model, tokens, specs, options, progress);
    if (args.has("json"))
        writeEvictEvalJson(setup, result, out);
    else
        writeEvictEvalTable(setup, result, out);
    return 0;
}

}  // namespace

const Command& evictEvalCommand() {
    static const Command command{
        "evict-eval",
        "measure KV eviction policies (a bounded cache) against the full cache: perplexity, "
        "agreement, bytes",
        kDetails, kFlags, runEvictEvalCommand};
    return command;
}

}  // namespace kvscope::cli

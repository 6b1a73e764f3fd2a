// `kvscope-cli attention`: the causal attention matrix of one layer and query head over the
// prompt and the generated tokens, from the rows each Session step recorded.
#include <ostream>
#include <stdexcept>
#include <string>

#include "app/cli/activations_flag.h"
#include "app/cli/attention/attention_output.h"
#include "app/cli/backend_flag.h"
#include "app/cli/command.h"
#include "app/cli/generation.h"
#include "app/cli/sampling_flags.h"
#include "app/cli/threads_flag.h"
#include "core/trace/attention_matrix.h"
#include "core/util/error.h"

namespace kvscope::cli {

namespace {

constexpr FlagSpec kFlags[] = {
    {"model", "M", "model to run, e.g. builtin:demo", true},
    {"prompt", "TEXT", "prompt text; BOS is put in front (may be empty)", true},
    {"max-new-tokens", "N", "generate N tokens (greedy) after the prompt, >= 0 (default 0)"},
    {"layer", "L", "layer, from 0", true},
    {"head", "H", "query head, from 0", true},
    {"mode", "MODE", "cached or recompute (default cached)"},
    {"json", "", "print JSON: tokens[] and matrix[][]"},
    {"csv", "", "print CSV: a header of key tokens, one row per query"},
    kThreadsFlag,
    kBackendFlag,
    kActivationsFlag,
};

constexpr std::string_view kDetails =
    "The matrix covers every position: BOS, the prompt, then the generated tokens (generation\n"
    "stops early at BOS/EOS). Row q is query position q, column k is key position k; it is\n"
    "square (n_tokens x n_tokens) with zeros where k > q, and each row sums to 1.\n"
    "Tokens are shown as readable labels ('<s>' is BOS, '<0x0A>' a newline byte).\n";

std::int64_t checkIndex(std::string_view flag, std::int64_t index, std::int64_t count,
                        const std::string& model_name) {
    if (index < count) return index;
    throw InputError(flagName(flag) + ": " + std::to_string(index) + " is out of range for " +
                     model_name + " (valid: 0.." + std::to_string(count - 1) + ")");
}

int runAttention(const ParsedArgs& args, std::ostream& out, std::ostream&) {
    if (args.has("json") && args.has("csv")) {
        throw InputError("--json and --csv: choose one output format");
    }
    const std::int64_t layer = parseNonNegativeInt("layer", args.value("layer"));
    const std::int64_t head = parseNonNegativeInt("head", args.value("head"));
    GenerationRequest request;
    request.prompt = args.value("prompt");
    if (const auto text = args.optionalValue("max-new-tokens")) {
        request.max_new_tokens = parseNonNegativeInt("max-new-tokens", *text);
    }
    request.options.mode = parseModeFlag(args);
    request.options.record_attention = true;
    request.feed_last_token = true;  // the last generated token gets its attention row too
    const auto model = loadModelFlag(args.value("model"));
    const ModelConfig& config = model->config;
    checkIndex("layer", layer, config.n_layers, config.name);
    checkIndex("head", head, config.n_heads, config.name);

    const Generation gen = generate(model, request);
    AttentionView view;
    view.model = config.name;
    view.mode = std::string(toString(request.options.mode));
    view.layer = layer;
    view.head = head;
    view.kv_head = head / config.kvGroupSize();
    view.n_prompt_tokens = std::int64_t(gen.prompt_tokens.size());
    view.tokens = gen.prompt_tokens;
    view.tokens.insert(view.tokens.end(), gen.generated.begin(), gen.generated.end());
    for (TokenId id : view.tokens)
        view.labels.push_back(model->tokenizer->label(id));
    const AttentionMatrix assembled =
        assembleAttention(gen.records, layer, head, std::int64_t(view.tokens.size()));
    if (const std::int64_t missing = assembled.firstMissingRow(); missing >= 0) {
        throw std::logic_error("attention: no attention row was recorded for layer " +
                               std::to_string(layer) + " head " + std::to_string(head) +
                               " at position " + std::to_string(missing));
    }
    view.matrix = assembled.weights;

    if (args.has("json"))
        writeAttentionJson(view, out);
    else if (args.has("csv"))
        writeAttentionCsv(view, out);
    else
        writeAttentionTable(view, out);
    return 0;
}

}  // namespace

const Command& attentionCommand() {
    static const Command command{"attention",
                                 "print the causal attention matrix of one layer and head",
                                 kDetails, kFlags, runAttention};
    return command;
}

}  // namespace kvscope::cli

// `kvscope-cli quant-eval`: each KV cache codec against the fp32 cache on the same tokens:
// bytes, attention and logits error, top-1 agreement, perplexity, free-generation divergence.
#include <filesystem>
#include <fstream>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/activations_flag.h"
#include "app/cli/backend_flag.h"
#include "app/cli/command.h"
#include "app/cli/generation.h"
#include "app/cli/input_files.h"
#include "app/cli/quant_eval/quant_eval_output.h"
#include "app/cli/quant_eval/quant_sweep_output.h"
#include "app/cli/text_format.h"
#include "app/cli/threads_flag.h"
#include "core/eval/quant_eval.h"
#include "core/eval/quant_sweep.h"
#include "core/util/error.h"
#include "core/util/text_file.h"

namespace kvscope::cli {

namespace {

constexpr std::string_view kDefaultCodecs =
    "fp16,bf16,fp8_e4m3,fp8_e5m2,int8,q8_0,int4,q4_0,int4+w32,int2,int2+w32,kivi2+r32,kivi2";

constexpr FlagSpec kFlags[] = {
    {"model", "M", "model to run, e.g. builtin:demo or a .gguf file", true},
    {"codecs", "LIST",
     "comma-separated cache specs K[/V][+wN[:T]] or kivi2[+rN], e.g. int8,q8_0/q4_0,int4+w32 "
     "(default: see below)"},
    {"prompt", "TEXT",
     "prompt (BOS in front), continued by fp32 greedy --steps tokens (default: "
     "BOS only)"},
    {"text", "FILE",
     "teacher-force this text file (16 MiB at most) instead (BOS in front, cut to the context)"},
    {"prompts", "FILE",
     "pool many sequences: one prompt per line (10000 lines, 16 MiB at most), each continued by "
     "--steps greedy tokens"},
    {"steps", "N", "fp32 greedy tokens after the prompt, and free-generation steps (default 200)"},
    {"layout", "L", "contiguous|paged (default contiguous)"},
    {"block-size", "B", "paged block size, a multiple of 32 for kivi2 (default 32)"},
    {"json", "", "print one JSON object instead of the table"},
    kThreadsFlag,
    kBackendFlag,
    kActivationsFlag,
};

constexpr std::string_view kDetails =
    "Runs the model on one token sequence with the fp32 KV cache and with each codec of\n"
    "--codecs, feeding the same tokens one at a time (teacher forcing), and compares:\n"
    "  KV bytes (K + V held, scales/zero points/fp16 windows included) and the ratio to fp16;\n"
    "  attention rows of every position, layer and head: L1 and KL(fp32 || codec), mean / max;\n"
    "  next-token logits: KL(fp32 || codec) mean / max, top-1 agreement, perplexity and its\n"
    "  change; then free greedy generation from the prompt: the first step whose token differs\n"
    "  from fp32's (none = all --steps the same).\n"
    "Codec specs: a dtype (fp32 fp16 bf16 fp8_e4m3|fp8-e4m3|fp8 fp8_e5m2 int8 int4 q8_0 q4_0\n"
    "kivi2 int2) for K and V, K/V for different ones (q8_0/q4_0), +wN: the last N tokens in fp16\n"
    "(+wN:T in dtype T), older ones in the codec (mixed precision); kivi2+rN: KIVI with an fp16\n"
    "window of N tokens (default 128). int2 is plain per-token 2-bit (KIVI's baseline).\n"
    "Default --codecs: fp16,bf16,fp8_e4m3,fp8_e5m2,int8,q8_0,int4,q4_0,int4+w32,int2,int2+w32,\n"
    "kivi2+r32,kivi2.\n"
    "Default sequence: BOS + --prompt + fp32's greedy continuation of --steps tokens.\n"
    "--prompts FILE runs one such sequence per line of FILE (blank lines and lines starting\n"
    "with # are skipped; a line <s> is BOS alone) and pools them: top-1 agreement over all\n"
    "steps with each sequence's min / median / max, top-1 misses and how many of them sit at\n"
    "fp32 near-ties (top two logits within 0.1 nats), logits KL and perplexity. One text of\n"
    "200 steps decides top-1 in steps of 0.5%; a pool of texts has less luck in it.\n"
    "Progress goes to stderr.\n";

std::vector<KvCacheSpec> parseCodecList(std::string_view list) {
    std::vector<KvCacheSpec> specs;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = list.find(',', start);
        const std::string_view entry = list.substr(start, comma - start);
        if (entry.empty()) throw InputError("--codecs: empty entry in '" + std::string(list) + "'");
        specs.push_back(parseKvCacheSpec(entry, "--codecs"));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return specs;
}

int runSweep(const ParsedArgs& args, std::shared_ptr<const Model> model,
             std::span<const KvCacheSpec> specs, std::int64_t steps,
             const QuantEvalOptions& options, QuantEvalSetup setup, std::ostream& out,
             std::ostream& err) {
    const std::string path = args.value("prompts");
    std::vector<std::vector<TokenId>> sequences;
    const std::vector<PromptLine> prompts = readPrompts(path);
    err << "quant-eval: fp32 greedy continuations of " << counted(steps, "token") << " for "
        << counted(std::int64_t(prompts.size()), "prompt") << "..." << std::endl;
    for (const PromptLine& prompt : prompts) {
        const std::vector<TokenId> prompt_tokens = promptTokens(*model, prompt.text);
        try {
            checkContextFits(*model, std::int64_t(prompt_tokens.size()), steps,
                             model->config.max_context, "--steps");
        } catch (const InputError& e) {
            throw InputError("--prompts: " + path + " line " + std::to_string(prompt.line) + ": " +
                             e.what());
        }
        sequences.push_back(greedyContinuation(model, prompt_tokens, steps));
    }
    setup.source = counted(std::int64_t(sequences.size()), "prompt") + " of " + path + ", each + " +
                   counted(steps, "fp32 greedy token");
    const QuantSweepResult result =
        runQuantSweep(model, sequences, specs, options, [&](std::int64_t done, std::int64_t total) {
            err << "quant-eval: sequence " << done << "/" << total << std::endl;
            return true;
        });
    if (args.has("json"))
        writeQuantSweepJson(setup, result, out);
    else
        writeQuantSweepTable(setup, result, out);
    return 0;
}

int runQuantEvalCommand(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
    if (int(args.has("prompt")) + int(args.has("text")) + int(args.has("prompts")) > 1)
        throw InputError("--prompt, --text and --prompts: give one of them, not several");
    const std::vector<KvCacheSpec> specs =
        parseCodecList(args.optionalValue("codecs").value_or(std::string(kDefaultCodecs)));
    const std::int64_t steps =
        args.has("steps") ? parsePositiveInt("steps", args.value("steps")) : 200;
    QuantEvalOptions options;
    if (args.has("layout")) options.cache_layout = parseLayout(args.value("layout"));
    if (args.has("block-size"))
        options.block_size = parsePositiveInt("block-size", args.value("block-size"));
    const auto model = loadModelFlag(args.value("model"));
    checkQuantEvalSpecs(model, specs, options);  // before the fp32 continuations, which take time

    QuantEvalSetup setup;
    setup.model = model->config.name;
    setup.layout = options.cache_layout == CacheLayout::Paged
                       ? "paged (block " + std::to_string(options.block_size) + ")"
                       : "contiguous";
    if (args.has("prompts")) return runSweep(args, model, specs, steps, options, setup, out, err);
    std::vector<TokenId> tokens;
    if (args.has("text")) {
        const std::string path = args.value("text");
        tokens = promptTokens(*model, readText("text", path));
        if (std::int64_t(tokens.size()) > model->config.max_context)
            tokens.resize(std::size_t(model->config.max_context));
        if (tokens.size() < 2) throw InputError("--text: '" + path + "' holds no tokens");
        options.free_prompt_tokens = std::min<std::int64_t>(16, std::int64_t(tokens.size()));
        options.free_steps =
            std::min(steps, model->config.max_context - options.free_prompt_tokens);
        setup.source = "text " + path + " (" + std::to_string(tokens.size()) +
                       " tokens; free generation from its first " +
                       std::to_string(options.free_prompt_tokens) + ")";
    } else {
        const std::string prompt = args.optionalValue("prompt").value_or("");
        const std::vector<TokenId> prompt_tokens = promptTokens(*model, prompt);
        checkContextFits(*model, std::int64_t(prompt_tokens.size()), steps,
                         model->config.max_context, "--steps");
        err << "quant-eval: fp32 greedy continuation of " << steps << " tokens..." << std::endl;
        tokens = greedyContinuation(model, prompt_tokens, steps);
        options.free_prompt_tokens = std::int64_t(prompt_tokens.size());
        options.free_steps = steps;
        setup.source = (prompt.empty() ? std::string("BOS") : "prompt '" + prompt + "'") + " + " +
                       std::to_string(steps) + " fp32 greedy tokens";
    }
    const QuantEvalResult result =
        runQuantEval(model, tokens, specs, options, [&](std::int64_t done, std::int64_t total) {
            err << "quant-eval: [" << done << "/" << total << "] "
                << (done == 1 ? std::string("fp32") : specs[std::size_t(done - 2)].label())
                << std::endl;
            return true;
        });
    if (args.has("json"))
        writeQuantEvalJson(setup, result, out);
    else
        writeQuantEvalTable(setup, result, out);
    return 0;
}

}  // namespace

const Command& quantEvalCommand() {
    static const Command command{
        "quant-eval",
        "measure KV cache codecs against fp32: bytes, attention/logits error, perplexity", kDetails,
        kFlags, runQuantEvalCommand};
    return command;
}

}  // namespace kvscope::cli

// `kvscope-cli generate`: run the model on a prompt and print the new text (or JSON with every
// step's token, timing, cache bytes and cost).
#include <optional>
#include <ostream>

#include "app/cli/activations_flag.h"
#include "app/cli/backend_flag.h"
#include "app/cli/command.h"
#include "app/cli/generate/generate_trace.h"
#include "app/cli/generation.h"
#include "app/cli/sampling_flags.h"
#include "app/cli/text_format.h"
#include "app/cli/threads_flag.h"
#include "core/model/chat_format.h"
#include "core/util/error.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

constexpr FlagSpec kFlags[] = {
    {"model", "M", "model to run, e.g. builtin:demo", true},
    {"prompt", "TEXT", "prompt text; BOS is put in front (may be empty)", true},
    {"max-new-tokens", "N", "stop after N new tokens (> 0)", true},
    {"temperature", "T", "sampling temperature, >= 0; 0 = greedy (default 0)"},
    {"top-k", "K", "keep the K most probable tokens, 0 = all (default 0)"},
    {"top-p", "P", "nucleus: keep the smallest set with probability >= P, in (0, 1] (default 1)"},
    {"seed", "S", "random seed for sampling (default 42)"},
    {"mode", "MODE", "cached (KV cache) or recompute (no cache, O(n^2)) (default cached)"},
    {"chat", "", "wrap the prompt as a user turn in the model's chat format (from its template)"},
    {"json", "", "print one JSON object instead of text"},
    {"trace", "FILE", "also save the run as a trace (format from the name or --trace-format)"},
    {"trace-format", "F", "json, csv or chrome (Chrome trace events for Perfetto)"},
    kThreadsFlag,
    kBackendFlag,
    kActivationsFlag,
};

constexpr std::string_view kDetails =
    "Generation stops after N new tokens or when the model emits BOS, EOS or the end of a\n"
    "chat turn (<|eot_id|>, <|im_end|>, <end_of_turn>, <|end|>; not printed).\n"
    "The prompt's tokens are what llama.cpp gives: BOS when the model's tokenizer adds it,\n"
    "special tokens spelled in the prompt (<|im_start|>, <start_of_turn>) as single tokens.\n"
    "--chat wraps the prompt as one user turn and opens the assistant's turn, in the format\n"
    "the file's tokenizer.chat_template writes: Llama 3, ChatML (Qwen), Gemma or Phi-3; the\n"
    "format used is printed on stderr (JSON: chat_format).\n"
    "The prompt (BOS included) plus N must fit the model's context.\n"
    "Plain output: the generated text on stdout, a summary line on stderr.\n"
    "JSON: model, mode, backend, sampling, prompt_tokens (ids, BOS first), generated_tokens,\n"
    "text, stop_reason, and steps[] with phase, position (of the first token fed), n_tokens,\n"
    "token (the token sampled), label, prob, wall_ms, kv_bytes (K+V held after the step),\n"
    "kv_bytes_allocated, flops and bytes_moved (analytic, fp32).\n"
    "--trace FILE saves every step with its attention rows (written to a temporary file and\n"
    "renamed, so a failed export leaves no partial file). The format is --trace-format, or\n"
    "else the name: *.chrome.json or *.perfetto.json -> chrome, other *.json -> json (the\n"
    "KVScope trace, docs/trace-schema.md; the GUI opens it), *.csv -> csv (one row per step\n"
    "and layer).\n";

std::int64_t allocatedBytes(const StepRecord& record) {
    std::int64_t total = 0;
    for (const LayerRecord& layer : record.layers)
        total += layer.bytes_allocated;
    return total;
}

/// --chat: the format the model's chat template writes; InputError naming the flag otherwise.
ChatFormat chatFormatFlag(const Model& model) {
    if (model.chat_template.empty())
        throw InputError("--chat: " + model.config.name +
                         " has no chat template (GGUF key tokenizer.chat_template)");
    const std::optional<ChatFormat> format = detectChatFormat(model.chat_template);
    if (!format) {
        throw InputError("--chat: the chat template of " + model.config.name +
                         " is none of the formats KVScope writes (Llama 3, ChatML, Gemma, Phi-3)");
    }
    return *format;
}

void writeJson(const Model& model, const GenerationRequest& request, const Generation& gen,
               std::optional<ChatFormat> chat, std::ostream& out) {
    const Tokenizer& tokenizer = *model.tokenizer;
    JsonWriter json(out);
    json.beginObject();
    json.field("model", model.config.name);
    json.field("mode", toString(request.options.mode));
    json.field("backend", gen.backend);
    if (!gen.rope_scaling.empty()) json.field("rope_scaling", gen.rope_scaling);
    json.key("sampling");
    writeSamplingJson(json, request.options.sampling);
    json.field("max_new_tokens", request.max_new_tokens);
    json.field("prompt", request.prompt);
    if (chat) json.field("chat_format", chatFormatName(*chat));
    json.key("prompt_tokens").beginArray();
    for (TokenId id : gen.prompt_tokens)
        json.value(id);
    json.endArray();
    json.key("generated_tokens").beginArray();
    for (TokenId id : gen.generated)
        json.value(id);
    json.endArray();
    json.field("text", gen.text(tokenizer));
    json.field("stop_reason", toString(gen.stop));
    json.key("steps").beginArray();
    double total_ms = 0;
    for (const StepRecord& record : gen.records) {
        total_ms += record.wall_ms;
        json.beginObject();
        json.field("phase", toString(record.phase));
        json.field("position", record.first_pos);
        json.field("n_tokens", record.tokens.size());
        json.field("token", record.next_token);
        json.field("label", tokenizer.label(record.next_token));
        json.field("prob", record.next_prob);
        json.field("wall_ms", record.wall_ms);
        json.field("kv_bytes", record.kvBytesHeld());
        json.field("kv_bytes_allocated", allocatedBytes(record));
        json.field("flops", record.cost.flops);
        json.field("bytes_moved", record.cost.bytesMoved());
        json.endObject();
    }
    json.endArray();
    json.field("total_wall_ms", total_ms);
    json.endObject();
    out << "\n";
}

void writeSummary(const Generation& gen, std::ostream& err) {
    double prefill_ms = 0, decode_ms = 0;
    std::int64_t n_decode = 0;
    for (const StepRecord& record : gen.records) {
        if (record.phase == Phase::Prefill) {
            prefill_ms += record.wall_ms;
        } else {
            decode_ms += record.wall_ms;
            ++n_decode;
        }
    }
    err << "[" << gen.generated.size() << " tokens, stop: " << toString(gen.stop) << "; prefill "
        << gen.prompt_tokens.size() << " tokens " << fixed(prefill_ms, 2) << " ms";
    if (n_decode > 0) err << ", decode " << fixed(decode_ms / double(n_decode), 3) << " ms/token";
    if (!gen.records.empty()) {
        // Logical (held) and physical (allocated), as the window's status bar says them.
        err << "; KV cache " << formatBytes(gen.records.back().kvBytesHeld()) << " of "
            << formatBytes(allocatedBytes(gen.records.back())) << " allocated";
    }
    if (!gen.rope_scaling.empty()) err << "; RoPE " << gen.rope_scaling;
    err << "; " << gen.backend << "]\n";
}

int runGenerate(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
    GenerationRequest request;
    request.prompt = args.value("prompt");
    request.max_new_tokens = parsePositiveInt("max-new-tokens", args.value("max-new-tokens"));
    request.options.sampling = parseSamplingFlags(args);
    request.options.mode = parseModeFlag(args);
    if (args.has("trace-format") && !args.has("trace"))
        throw InputError("--trace-format: needs --trace FILE");
    std::optional<TraceFormat> trace_format;
    if (args.has("trace")) trace_format = traceFormatFlag(args);
    // Attention rows are what a trace replays; plain generation does not need them.
    request.options.record_attention = trace_format.has_value();
    const auto model = loadModelFlag(args.value("model"));
    std::optional<ChatFormat> chat;
    if (args.has("chat")) {
        chat = chatFormatFlag(*model);
        request.prompt = applyChatFormat(*chat, request.prompt);
    }

    const Generation gen = generate(model, request);
    if (trace_format)
        saveGenerationTrace(args.value("trace"), *trace_format, *model, args.value("model"),
                            request, gen);
    if (args.has("json")) {
        writeJson(*model, request, gen, chat, out);
    } else {
        if (chat)
            err << "[chat format: " << chatFormatName(*chat) << ", from the model's template]\n";
        out << gen.text(*model->tokenizer) << "\n";
        writeSummary(gen, err);
    }
    return 0;
}

}  // namespace

const Command& generateCommand() {
    static const Command command{"generate", "run a model on a prompt and print the new text",
                                 kDetails, kFlags, runGenerate};
    return command;
}

}  // namespace kvscope::cli

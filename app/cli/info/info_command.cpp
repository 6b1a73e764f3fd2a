// `kvscope-cli info`: what a model is (source, shape, weights, tokenizer), what its KV cache
// costs per token and at full context, and its tensor table (and GGUF metadata).
#include <ostream>

#include "app/cli/command.h"
#include "app/cli/info/info_output.h"
#include "app/cli/info/model_info.h"
#include "core/util/error.h"

namespace kvscope::cli {

namespace {

constexpr FlagSpec kFlags[] = {
    {"model", "M", "model to describe: builtin:demo, a .gguf file or a llama2.c .bin", true},
    {"json", "", "print one JSON object instead of text"},
};

constexpr std::string_view kDetails =
    "Shows the source and format, whether KVScope runs the model (and if not, why: the\n"
    "loader's checks of the architecture, tokenizer and every tensor's name, shape and type,\n"
    "without reading the weights' values), the shape (layers, heads, KV heads, attention variant,\n"
    "head_dim, d_ff, vocab, context length, the local/global layer pattern, RoPE theta, norm eps,\n"
    "tied output), the parameter count and stored weight bytes per tensor type, the tokenizer\n"
    "(model, vocab, BOS, EOS), the K+V bytes per token (per layer and for all layers, fp32 and\n"
    "fp16) and at the full context,\n"
    "and the tensor table (shape outermost first: a matrix is [rows x cols]).\n"
    "A GGUF file is read from its header: no weight matrix is read or dequantized (the runs\n"
    "check reads only the small norm and bias vectors), so files KVScope cannot run (another\n"
    "architecture, tokenizer or tensor type) are described too; its metadata keys are listed\n"
    "(arrays as [count x type]). Another architecture whose keys do not give a shape (Mamba,\n"
    "RWKV) is described without the shape and KV cache, saying which key is missing.\n"
    "Built-in models and llama2.c checkpoints are loaded; their tensors are the fp32 weights.\n"
    "JSON: reference, format, format_label, gguf_version (GGUF), file_bytes, name, architecture,\n"
    "runs, cannot_run (null when it runs), shape and kv_cache (null when the shape was not\n"
    "read), shape_problem, parameters, weight_bytes, tensor_types[], tokenizer, tensors[],\n"
    "metadata[] (GGUF; empty otherwise). Bytes are exact integers there.\n";

int runInfo(const ParsedArgs& args, std::ostream& out, std::ostream&) {
    ModelInfo info;
    try {
        info = readModelInfo(args.value("model"));
    } catch (const InputError& e) {
        throw InputError(std::string("--model: ") + e.what());
    }
    if (args.has("json")) {
        writeInfoJson(info, out);
    } else {
        writeInfoText(info, out);
    }
    return 0;
}

}  // namespace

const Command& infoCommand() {
    static const Command command{
        "info", "describe a model: shape, weights, tokenizer, KV bytes per token, tensors",
        kDetails, kFlags, runInfo};
    return command;
}

}  // namespace kvscope::cli

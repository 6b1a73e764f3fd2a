// `kvscope-cli memory`: the what-if calculator. How much KV memory a model needs at a context,
// batch, precision and layout, whether it fits on a GPU, and the largest context/batch that do.
#include <optional>
#include <ostream>

#include "app/cli/command.h"
#include "app/cli/memory/memory_output.h"
#include "core/memory/hf_config.h"
#include "core/memory/model_file.h"
#include "core/memory/model_presets.h"
#include "core/model/model_source.h"
#include "core/util/error.h"

namespace kvscope::cli {

namespace {

// The documented ranges of the calculator's inputs (README, `memory --help`): beyond them the
// question is not one a GPU answers, and 64-bit byte arithmetic stays far from overflow.
constexpr std::int64_t kMaxBytes = std::int64_t(1) << 50;      // 1 PiB of GPU memory
constexpr std::int64_t kMaxTokens = std::int64_t(1) << 40;     // tokens per sequence
constexpr std::int64_t kMaxSequences = std::int64_t(1) << 24;  // concurrent sequences
constexpr std::int64_t kMaxBlockSize = std::int64_t(1) << 20;  // tokens per block
constexpr std::int64_t kMaxTp = 1024;                          // tensor-parallel GPUs

constexpr FlagSpec kFlags[] = {
    {"preset", "NAME", "a built-in model preset (see --list-presets)"},
    {"config", "FILE", "a Hugging Face config.json"},
    {"model", "M", "a .gguf or llama2.c .bin file (header only) or builtin:NAME"},
    {"seq", "N", "tokens per sequence, 1..2^40 (default: the model's context, else 4096)"},
    {"batch", "B", "concurrent sequences, 1..2^24 (default 1)"},
    {"kv-dtype", "T", "fp32|fp16|bf16|fp8|fp8_e5m2|int8|int4|q8_0|q4_0|kivi2 (default fp16)"},
    {"layout", "L", "paged|contiguous (default paged; kivi2 needs contiguous)"},
    {"block-size", "N", "paged block size in tokens, 1..2^20 (default 16)"},
    {"reserve", "N", "contiguous: positions reserved per sequence (default --seq)"},
    {"shared-prefix", "P", "tokens every sequence shares, 0..2^40 (default 0)"},
    {"tp", "N", "tensor-parallel GPUs, 1..1024 (default 1)"},
    {"gpu", "NAME", "a GPU preset (see --list-presets)"},
    {"gpu-mem", "BYTES", "GPU memory in bytes, 1..2^50, instead of --gpu"},
    {"usable", "F", "usable fraction of GPU memory = vLLM's gpu_memory_utilization (default 0.9)"},
    {"gpu-memory-utilization", "F", "the same as --usable, in vLLM's words"},
    {"max-model-len", "N", "serving engine: tokens per request (default --seq)"},
    {"max-num-batched-tokens", "N", "serving engine: tokens of the profile batch (default 8192)"},
    {"max-num-seqs", "N", "serving engine: sequences of the sampler warm-up (default 256)"},
    {"engine-overhead", "BYTES", "serving engine: CUDA context, NCCL, graphs (default 0)"},
    {"weight-bits", "N", "bits per weight (default: the config's dtype, else 16)"},
    {"list-presets", "", "list the model presets and GPUs"},
    {"json", "", "print one JSON object instead of text"},
};

constexpr std::string_view kDetails =
    "KV bytes per token = n_kv_heads x (K row + V row) x layers (MLA: one latent of\n"
    "kv_lora_rank + qk_rope_head_dim values); sliding-window layers hold min(seq, window).\n"
    "Every term prints its formula with the numbers and where each came from. Sizes are IEC\n"
    "(KiB, MiB, GiB); GPU presets keep the vendor's unit (GB = 10^9 B, GiB = 2^30 B).\n"
    "JSON: kv_bytes_per_token, kv_bytes_per_sequence, kv_bytes_total, weights_bytes, fits,\n"
    "max_seq, max_batch, max_total_tokens (null without a GPU), terms[] {name, bytes, formula,\n"
    "sources}. Bytes are exact integers.\n"
    "Hybrid models (Qwen3-Next, LFM2, Granite-4.0-H, Jamba, Falcon-H1): layers without attention\n"
    "hold no K/V but a fixed state per sequence (state_bytes_per_sequence, its own term).\n"
    "With a GPU, a serving-engine section follows vLLM v1's accounting: budget = GPU x\n"
    "utilization - weights - activations (estimated) - overhead, KV blocks, the maximum\n"
    "concurrency at --max-model-len and, when it does not fit, the changes that make it fit\n"
    "(JSON: serving {...}, null without a GPU).\n";

struct ModelChoice {
    ModelShape shape;
    WeightSpec weights;
};

ModelChoice chooseModel(const ParsedArgs& args) {
    const int given = int(args.has("preset")) + int(args.has("config")) + int(args.has("model"));
    if (given != 1) {
        throw InputError("memory: give exactly one of --preset, --config, --model");
    }
    ModelChoice choice;
    if (args.has("preset")) {
        try {
            const ModelPreset& p = findModelPreset(args.value("preset"));
            choice.shape = p.shape;
            choice.weights.layout = p.layout;
            if (p.published_parameters > 0) {
                choice.weights.parameters = p.published_parameters;
                choice.weights.parameters_origin = "published: " + p.parameters_source;
            }
        } catch (const InputError& e) {
            throw InputError(std::string("--preset: ") + e.what());
        }
        return choice;
    }
    if (args.has("config")) {
        try {
            const JsonValue root = parseJsonFile(args.value("config"), kMaxHfConfigBytes);
            choice.shape = readHfConfigFile(root, args.value("config"));
            choice.weights.layout = weightLayoutFromConfig(root);
        } catch (const InputError& e) {
            throw InputError(std::string("--config: ") + e.what());
        }
        return choice;
    }
    const std::string& ref = args.value("model");
    try {
        if (detectModelFormat(ref) == ModelFormat::Builtin) {
            const ModelConfig config = loadModel(ref)->config;
            choice.shape = shapeFromModelConfig(config, ref);
            choice.weights.layout = {config.tied_output, 3, "tied output and SwiGLU from " + ref};
        } else {
            // Headers only, as the Memory view reads them: a GGUF at its known training context,
            // a llama2.c .bin without its tokenizer.bin (core/memory/model_file.h).
            const ModelFileShape file = readModelFileShape(ref);
            choice.shape = file.shape;
            choice.weights.layout = file.layout;
        }
    } catch (const InputError& e) {
        throw InputError(std::string("--model: ") + e.what());
    }
    return choice;
}

GpuSpec chooseGpu(const ParsedArgs& args) {
    GpuSpec gpu;
    if (args.has("gpu") && args.has("gpu-mem")) {
        throw InputError("memory: give --gpu or --gpu-mem, not both");
    }
    if (args.has("gpu")) {
        try {
            const GpuPreset& preset = findGpuPreset(args.value("gpu"));
            gpu.name = preset.name + " (" + preset.vendor_text + ")";
            gpu.bytes = preset.bytes;
            gpu.origin = "preset gpus.json: " + std::to_string(preset.memory) + " " + preset.unit +
                         " x " + (preset.unit == "GB" ? "10^9" : "2^30") + " B; " + preset.source;
        } catch (const InputError& e) {
            throw InputError(std::string("--gpu: ") + e.what());
        }
    } else if (args.has("gpu-mem")) {
        gpu.bytes = parseIntInRange("gpu-mem", args.value("gpu-mem"), 1, kMaxBytes);
        gpu.name = "user memory";
        gpu.origin = "--gpu-mem " + args.value("gpu-mem") + " B (user input)";
    }
    if (args.has("usable") && args.has("gpu-memory-utilization")) {
        throw InputError("memory: give --usable or --gpu-memory-utilization, not both");
    }
    for (const char* flag : {"usable", "gpu-memory-utilization"}) {
        if (!args.has(flag)) continue;
        const float f = parseProbability(flag, args.value(flag));
        if (!(f > 0.0f)) throw InputError(std::string("--") + flag + ": must be > 0");
        gpu.usable_fraction = double(f);
    }
    return gpu;
}

ServingSpec chooseServing(const ParsedArgs& args, const GpuSpec& gpu) {
    ServingSpec serving;
    serving.gpu_memory_utilization = gpu.usable_fraction;
    if (args.has("max-model-len")) {
        serving.max_model_len =
            parseIntInRange("max-model-len", args.value("max-model-len"), 1, kMaxTokens);
        if (serving.max_model_len > kMaxEstimatorContext) {
            throw InputError("--max-model-len: at most 2^32 tokens");
        }
    }
    if (args.has("max-num-batched-tokens")) {
        serving.max_num_batched_tokens = parseIntInRange(
            "max-num-batched-tokens", args.value("max-num-batched-tokens"), 1, kMaxTokens);
    }
    if (args.has("max-num-seqs")) {
        serving.max_num_seqs =
            parseIntInRange("max-num-seqs", args.value("max-num-seqs"), 1, kMaxSequences);
    }
    if (args.has("engine-overhead")) {
        serving.non_torch_bytes =
            parseIntInRange("engine-overhead", args.value("engine-overhead"), 0, kMaxBytes);
    }
    return serving;
}

int runMemory(const ParsedArgs& args, std::ostream& out, std::ostream&) {
    if (args.has("list-presets")) {
        writePresetList(out, args.has("json"));
        return 0;
    }
    ModelChoice model = chooseModel(args);
    MemoryQuery q;
    q.shape = model.shape;
    if (args.has("kv-dtype")) {
        try {
            q.cache.k_dtype = q.cache.v_dtype = parseKvDtype(args.value("kv-dtype"));
        } catch (const InputError& e) {
            throw InputError(std::string("--kv-dtype: ") + e.what());
        }
    }
    if (args.has("layout")) {
        const std::string& layout = args.value("layout");
        if (layout != "paged" && layout != "contiguous") {
            throw InputError("--layout: expected paged or contiguous, got '" + layout + "'");
        }
        q.cache.layout = layout == "paged" ? KvLayout::Paged : KvLayout::Contiguous;
    }
    if (args.has("block-size"))
        q.cache.block_size =
            parseIntInRange("block-size", args.value("block-size"), 1, kMaxBlockSize);
    if (args.has("reserve"))
        q.cache.reserve_length = parseIntInRange("reserve", args.value("reserve"), 1, kMaxTokens);
    q.workload.context = q.shape.max_context > 0 ? q.shape.max_context : 4096;
    if (args.has("seq"))
        q.workload.context = parseIntInRange("seq", args.value("seq"), 1, kMaxTokens);
    if (args.has("batch"))
        q.workload.batch = parseIntInRange("batch", args.value("batch"), 1, kMaxSequences);
    if (args.has("shared-prefix")) {
        q.workload.shared_prefix =
            parseIntInRange("shared-prefix", args.value("shared-prefix"), 0, kMaxTokens);
    }
    if (args.has("tp")) q.workload.tp = parseIntInRange("tp", args.value("tp"), 1, kMaxTp);
    if (args.has("weight-bits")) {
        model.weights.weight_bits =
            parseIntInRange("weight-bits", args.value("weight-bits"), 1, 64);
        model.weights.weight_bits_origin = "--weight-bits (user input)";
    }
    q.gpu = chooseGpu(args);
    const ServingSpec serving = chooseServing(args, q.gpu);
    const MemoryReport report = estimateMemory(q.shape, q.cache, q.workload, model.weights, q.gpu);
    std::optional<ServingReport> engine;
    const bool asked = args.has("max-model-len") || args.has("max-num-batched-tokens") ||
                       args.has("max-num-seqs") || args.has("engine-overhead");
    if (report.has_gpu) {
        try {
            engine = estimateServing(q.shape, q.cache, q.workload, report, q.gpu, serving);
        } catch (const InputError&) {
            if (asked) throw;  // a serving flag was given: its error is the answer
            // otherwise (a cache format no serving engine uses) the section is left out
        }
    } else {
        for (const char* flag :
             {"max-model-len", "max-num-batched-tokens", "max-num-seqs", "engine-overhead"}) {
            if (args.has(flag)) {
                throw InputError(
                    std::string("--") + flag +
                    ": the serving engine needs a GPU (--gpu NAME or --gpu-mem BYTES)");
            }
        }
    }
    if (args.has("json")) {
        writeMemoryJson(q, report, engine, out);
    } else {
        writeMemoryText(q, report, engine, out);
    }
    return 0;
}

}  // namespace

const Command& memoryCommand() {
    static const Command command{
        "memory", "what-if KV cache and weight memory: formulas, GPU fit, max context and batch",
        kDetails, kFlags, runMemory};
    return command;
}

}  // namespace kvscope::cli

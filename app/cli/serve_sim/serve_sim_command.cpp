// `kvscope-cli serve-sim`: the serving simulator. Runs one workload under each allocation policy
// and prints KV utilization, waste, concurrency, throughput, preemptions and latencies.
#include <cmath>
#include <ostream>

#include "app/cli/command.h"
#include "app/cli/serve_sim/serve_sim_output.h"
#include "app/cli/text_format.h"
#include "core/memory/gpu_presets.h"
#include "core/memory/memory_estimator.h"
#include "core/memory/model_presets.h"
#include "core/sim/serving_simulator.h"
#include "core/sim/workload_csv.h"
#include "core/util/error.h"
#include "core/util/format_bytes.h"

namespace kvscope::cli {

namespace {

constexpr FlagSpec kFlags[] = {
    {"workload", "W", "sharegpt|fixed|uniform|csv:FILE (default sharegpt)"},
    {"requests", "N", "requests to generate, 1..100000 (default 1000; not with csv)"},
    {"rate", "R", "Poisson arrivals, R requests per step (default: all at once)"},
    {"prompt-len", "N", "fixed: prompt tokens; uniform: mean of 1..2N-1 (default 160)"},
    {"output-len", "N", "fixed: output tokens; uniform: mean of 1..2N-1 (default 200)"},
    {"system-prompt", "S", "tokens of a shared system prompt (default 0)"},
    {"shared-fraction", "F", "share of requests that start with it (default 1 with S)"},
    {"samples", "N", "parallel samples per request, 1..64 (default 1)"},
    {"policy", "P", "all|contiguous-max|contiguous-exact|paged|paged-prefix (default all)"},
    {"block-size", "N", "paged block size in tokens, 1..128 (default 16)"},
    {"max-seq", "N",
     "longest request (prompt + output), 2..2^20; contiguous-max reserves it (2048)"},
    {"token-budget", "N", "tokens computed per step, 1..2^20 (default 2048)"},
    {"kv-budget", "BYTES", "KV memory, 1..2^50, at most 2^22 blocks (default 4 GiB)"},
    {"gpu", "NAME", "KV memory = GPU x usable 0.9 - the model's weights, instead"},
    {"model", "M", "model preset for KV bytes per token (default llama-3.1-8b, fp16)"},
    {"seed", "S", "workload seed (default 1)"},
    {"json", "", "print one JSON object instead of text"},
    {"csv", "FILE", "write the per-step timeline of every policy as CSV"},
};

constexpr std::string_view kDetails =
    "sharegpt: lognormal lengths, prompt median 160 (sigma 1.0), output median 200 (sigma 0.9),\n"
    "clipped so prompt + output <= --max-seq. A csv workload has lines prompt_len,output_len\n"
    "[,arrival]; at most 16 MiB (16777216 bytes) and 1000000 requests, checked before the\n"
    "simulation (a regular file's size before it is read, a pipe's as it is read). Policies run\n"
    "the same requests: contiguous-max reserves max-seq slots per sample up front,\n"
    "contiguous-exact reserves prompt + output (an oracle), paged allocates blocks as tokens\n"
    "are written (real BlockAllocator), paged-prefix also reuses cached full blocks\n"
    "(PrefixIndex). Out of blocks: the latest arrival is preempted and recomputed.\n"
    "KV util = held token slots / reserved token slots summed over steps. Bytes are IEC.\n";

std::string flagValue(const ParsedArgs& args, std::string_view name, std::string fallback) {
    return args.has(name) ? args.value(name) : fallback;
}

/// The flag's value in [min, max] (its documented range), or `fallback` when absent.
std::int64_t intFlag(const ParsedArgs& args, std::string_view name, std::int64_t fallback,
                     std::int64_t min, std::int64_t max) {
    return args.has(name) ? parseIntInRange(name, args.value(name), min, max) : fallback;
}

std::vector<sim::PolicyKind> choosePolicies(const std::string& text) {
    using sim::PolicyKind;
    const std::vector<PolicyKind> all = {PolicyKind::ContiguousMax, PolicyKind::ContiguousExact,
                                         PolicyKind::Paged, PolicyKind::PagedPrefix};
    if (text == "all") return all;
    for (PolicyKind p : all)
        if (sim::policyName(p) == text) return {p};
    throw InputError(
        "--policy: expected all, contiguous-max, contiguous-exact, paged or "
        "paged-prefix, got '" +
        text + "'");
}

std::vector<sim::Request> chooseWorkload(const ParsedArgs& args, sim::WorkloadSpec spec,
                                         ServeSimRun& run) {
    const std::string w = flagValue(args, "workload", "sharegpt");
    run.workload = w;
    const std::int64_t prompt = intFlag(args, "prompt-len", 160, 1, sim::kMaxSeqLen);
    const std::int64_t output = intFlag(args, "output-len", 200, 1, sim::kMaxSeqLen);
    if (w.rfind("csv:", 0) == 0) {
        if (args.has("requests")) throw InputError("--requests: not with --workload csv:FILE");
        std::vector<sim::Request> requests;
        try {
            requests = sim::readWorkloadCsv(w.substr(4), spec.max_seq);
        } catch (const InputError& e) {
            throw InputError(std::string("--workload: ") + e.what());
        }
        sim::applySharedPrompt(requests, spec);
        return requests;
    }
    if (w == "sharegpt") {
        const sim::WorkloadSpec shape = sim::shareGptLikeSpec();
        spec.prompt = shape.prompt;
        spec.output = shape.output;
    } else if (w == "fixed") {
        spec.prompt = {sim::LengthKind::Fixed, prompt};
        spec.output = {sim::LengthKind::Fixed, output};
    } else if (w == "uniform") {
        spec.prompt = {sim::LengthKind::Uniform, 0, 1, 2 * prompt - 1};
        spec.output = {sim::LengthKind::Uniform, 0, 1, 2 * output - 1};
    } else {
        throw InputError("--workload: expected sharegpt, fixed, uniform or csv:FILE, got '" + w +
                         "'");
    }
    return sim::generateWorkload(spec);
}

// KV bytes per token from the model preset, and the budget in bytes.
void chooseBudget(const ParsedArgs& args, ServeSimRun& run) {
    if (args.has("kv-budget") && args.has("gpu"))
        throw InputError("serve-sim: give --kv-budget or --gpu, not both");
    run.model = flagValue(args, "model", "llama-3.1-8b");
    ModelPreset preset;
    try {
        preset = findModelPreset(run.model);
    } catch (const InputError& e) {
        throw InputError(std::string("--model: ") + e.what());
    }
    WeightSpec weights;
    weights.layout = preset.layout;
    weights.parameters = preset.published_parameters;
    GpuSpec gpu;
    if (args.has("gpu")) {
        try {
            const GpuPreset& g = findGpuPreset(args.value("gpu"));
            gpu.name = g.name;
            gpu.bytes = g.bytes;
        } catch (const InputError& e) {
            throw InputError(std::string("--gpu: ") + e.what());
        }
    }
    Workload one;
    one.context = 1;
    const MemoryReport report = estimateMemory(preset.shape, CacheSpec{}, one, weights, gpu);
    run.kv_bytes_per_token = report.kv_bytes_per_token;
    if (args.has("gpu")) {
        run.kv_budget_bytes = report.free_for_kv;
        run.budget_origin =
            gpu.name + " x 0.9 usable - " + formatBytes(report.weights_bytes_per_gpu) + " weights";
        if (run.kv_budget_bytes <= 0)
            throw InputError("--gpu: " + gpu.name + " has no memory left for KV after the weights");
    } else {
        run.kv_budget_bytes =
            intFlag(args, "kv-budget", std::int64_t(4) << 30, 1, std::int64_t(1) << 50);
        run.budget_origin = args.has("kv-budget") ? "--kv-budget" : "default";
    }
    run.config.kv_slots = run.kv_budget_bytes / run.kv_bytes_per_token;
    // The simulator keeps a few words per block: its pool is bounded before anything is built.
    const std::int64_t n_blocks =
        run.config.kv_slots / std::max<std::int64_t>(1, run.config.block_size);
    if (n_blocks > sim::kMaxBlocks) {
        throw InputError(std::string(args.has("gpu") ? "--gpu" : "--kv-budget") + ": " +
                         formatBytes(run.kv_budget_bytes) + " of KV holds " +
                         std::to_string(n_blocks) + " blocks of " +
                         std::to_string(run.config.block_size) +
                         " tokens; the simulator holds at most " + std::to_string(sim::kMaxBlocks) +
                         " (give a smaller budget or larger blocks)");
    }
}

int runServeSim(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
    ServeSimRun run;
    sim::WorkloadSpec spec;
    spec.n_requests = intFlag(args, "requests", 1000, 1, sim::kMaxRequests);
    spec.max_seq = intFlag(args, "max-seq", 2048, 2, sim::kMaxSeqLen);
    spec.samples = intFlag(args, "samples", 1, 1, 64);
    spec.seed = args.has("seed") ? parseUnsigned64("seed", args.value("seed")) : 1;
    run.arrivals = "all at once";
    if (args.has("rate")) {
        spec.arrivals = sim::ArrivalKind::Poisson;
        spec.rate = double(parseNonNegativeFloat("rate", args.value("rate")));
        if (spec.rate <= 0) throw InputError("--rate: expected a number > 0");
        run.arrivals = "poisson " + args.value("rate") + " requests/step";
    }
    if (args.has("system-prompt")) {
        spec.system_prompt =
            parseIntInRange("system-prompt", args.value("system-prompt"), 0, sim::kMaxSeqLen);
        spec.shared_fraction = 1.0;
    }
    if (args.has("shared-fraction")) {
        if (!args.has("system-prompt"))
            throw InputError("--shared-fraction: needs --system-prompt");
        const std::string& f = args.value("shared-fraction");
        spec.shared_fraction = f == "0" ? 0.0 : double(parseProbability("shared-fraction", f));
    }
    try {
        sim::checkWorkloadSpec(spec);
    } catch (const InputError& e) {
        throw InputError(std::string("serve-sim: ") + e.what());
    }
    run.seed = spec.seed;
    run.config.max_seq = spec.max_seq;
    run.config.block_size = intFlag(args, "block-size", 16, 1, 128);
    run.config.token_budget = intFlag(args, "token-budget", 2048, 1, sim::kMaxSeqLen);
    const auto policies = choosePolicies(flagValue(args, "policy", "all"));
    chooseBudget(args, run);
    const std::vector<sim::Request> requests = chooseWorkload(args, spec, run);
    run.n_requests = std::int64_t(requests.size());
    for (std::size_t i = 0; i < policies.size(); ++i) {
        sim::SimConfig config = run.config;
        config.policy = policies[i];
        int last = -1;
        const auto progress = [&](double f) {
            const int tenth = int(10.0 * (double(i) + f) / double(policies.size()));
            if (tenth != last) err << "serve-sim: " << tenth * 10 << "%\n";
            last = tenth;
            return true;
        };
        run.results.push_back(sim::simulateServing(requests, config, progress));
    }
    if (args.has("csv")) writeServeSimCsv(run, args.value("csv"));
    if (args.has("json")) {
        writeServeSimJson(run, out);
    } else {
        writeServeSimText(run, out);
    }
    return 0;
}

}  // namespace

const Command& serveSimCommand() {
    static const Command command{
        "serve-sim",
        "serving simulator: continuous batching, contiguous vs paged KV, prefix sharing", kDetails,
        kFlags, runServeSim};
    return command;
}

}  // namespace kvscope::cli

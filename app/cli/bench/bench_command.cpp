// `kvscope-cli bench`: decode time per token, cached vs recompute, at growing context lengths,
// for the demo model, a 15M-class config and stories260K (or the models --models names), with 1
// thread and all threads, next to the memcpy bandwidth of this machine; then the time of
// GgufFile::open on a large sparse GGUF and on stories260K.gguf.
#include <algorithm>
#include <filesystem>
#include <ostream>
#include <thread>

#include "app/cli/activations_flag.h"
#include "app/cli/backend_flag.h"
#include "app/cli/bench/bandwidth.h"
#include "app/cli/bench/bench_gguf_open.h"
#include "app/cli/bench/bench_json_read.h"
#include "app/cli/bench/bench_kernels.h"
#include "app/cli/bench/bench_model_rss.h"
#include "app/cli/bench/bench_models.h"
#include "app/cli/bench/bench_report.h"
#include "app/cli/bench/bench_runner.h"
#include "app/cli/bench/process_memory.h"
#include "app/cli/command.h"
#include "app/cli/text_format.h"
#include "app/cli/threads_flag.h"
#include "core/engine/backend_select.h"
#include "core/engine/cpu_backend.h"
#include "core/util/error.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

constexpr FlagSpec kFlags[] = {
    {"json", "", "print one JSON object instead of the table"},
    {"quick", "", "fewer context lengths and repetitions (well under a minute)"},
    {"only", "SECTION",
     "decode: time only the decode table (memcpy, each model's decode and prefill, RSS); evict: "
     "only the bounded-cache section"},
    {"kernels", "",
     "with --backend cuda: time the CUDA decode-attention kernel per codec, batch 1..64, context "
     "1k..32k, against the device copy bandwidth, and each model end to end (exits 2 without "
     "CUDA)"},
    {"models", "LIST",
     "comma-separated: builtin:..., 15M, 15M-F32, 15M-Q8_0, 15M-Q4_K, stories260K or a model "
     "file (default builtin:demo,15M[,stories260K])"},
    kThreadsFlag,
    kBackendFlag,
    kActivationsFlag,
};

constexpr std::string_view kDetails =
    "Measures, for each model of --models (builtin:demo; 15M: a 15M-parameter-class config,\n"
    "d_model 288, 6 layers, 6 heads, head_dim 48, d_ff 768, vocab 32000, random weights;\n"
    "15M-F32, 15M-Q8_0, 15M-Q4_K: d_model 512, 4 layers, 8 heads, d_ff 1536, vocab 4096, random\n"
    "weights stored in that type and read in place; stories260K: "
    "../shared/models/stories260K.gguf,\n"
    "max_context 512 as trained), with 1 thread and with the default threads (--threads N, else\n"
    "OMP_NUM_THREADS, else all):\n"
    "  - decode ms/token at context 64, 128, 256, 512, 1024, 2048 (--quick: 64, 256), cached\n"
    "    and recompute (median of several step() calls after a prefill of context - 1 tokens);\n"
    "  - the speedup recompute / cached;\n"
    "  - the bandwidth cached decode achieves reading weights (and weights + K/V), from the\n"
    "    analytic bytes of a step over its time, next to memcpy of a 256 MiB buffer;\n"
    "  - the peak RSS of the model alone: loaded (or built) and decoded at the longest context\n"
    "    in a child process, so that the other models and the memcpy buffers do not count.\n"
    "Contexts beyond a model's max_context are timed anyway and marked '*'.\n"
    "Then GGUF header open: the median time of GgufFile::open on an 8 GiB sparse GGUF written\n"
    "to the temp directory (one tensor whose data is a hole; removed afterwards) and on\n"
    "stories260K.gguf, with their file, disk and header sizes.\n"
    "Then the KV codecs: encode and decode GB/s of each codec on rows of 128 fp32 values (32 MiB,\n"
    "--quick: 4 MiB; GB/s of fp32 bytes), and each model's cached decode ms/token at context 256\n"
    "(--quick: 64), 1 thread, with each codec storing the live KV cache.\n"
    "Then bounded KV caches: each model's cached decode ms/token with each eviction policy\n"
    "(budget: half the context; context 512, 2048 for the 15M-class model, --quick: 64), and\n"
    "the share of a step the policy's own bookkeeping takes (cut, scores, re-rotation); window\n"
    "and h2o again on the paged layout (blocks of 16: rows stay, evicted ones are holes).\n"
    "Then paged KV memory: BlockAllocator allocate / release ns per operation with 1024 and\n"
    "1048576 blocks (equal times: O(1)), and the seconds of simulating 10,000 ShareGPT-like\n"
    "requests under each allocation policy (32768 token slots, blocks of 16).\n"
    "Then JSON read: a stories260K trace with every attention row (a prefill, then decode steps\n"
    "to 512 positions, the trained context; --quick: 128) is written and read back, and a 1 MiB\n"
    "config.json-like document is read as `memory --config` reads it; each read runs in a child\n"
    "process that reports its seconds and its peak RSS increase, and the trace read is written\n"
    "again to check that it gives the same bytes.\n"
    "GB/s = 1e9 bytes/s; memcpy counts read + write bytes. Progress goes to stderr.\n";

struct BenchPlan {
    std::vector<std::int64_t> lengths;
    int cached_steps = 32;
    int copy_repetitions = 5;
    std::int64_t copy_bytes = std::int64_t(256) << 20;  // 256 MiB: far beyond any L3
    int open_repetitions = 25;
    std::int64_t sparse_gguf_bytes = std::int64_t(8) << 30;  // 8 GiB of tensor data, a hole
    std::int64_t codec_bytes = std::int64_t(32) << 20;       // fp32 input of the codec throughput
    int codec_repetitions = 5;
    std::int64_t codec_context = 256;  // engine decode with each KV codec
    int codec_steps = 16;
    std::int64_t trace_positions = 512;                 // stories260K's trained context
    std::int64_t config_bytes = std::int64_t(1) << 20;  // the config.json-like document
    /// Recompute re-runs the whole sequence per step, so long contexts get fewer timed steps.
    int recomputeSteps(std::int64_t context) const { return context <= 512 ? 5 : 3; }
};

BenchPlan makePlan(bool quick) {
    BenchPlan plan;
    if (quick) {
        plan.lengths = {64, 256};
        plan.cached_steps = 8;
        plan.copy_repetitions = 3;
        plan.open_repetitions = 11;
        plan.codec_bytes = std::int64_t(4) << 20;
        plan.codec_repetitions = 3;
        plan.codec_context = 64;
        plan.codec_steps = 4;
        plan.trace_positions = 128;
    } else {
        plan.lengths = {64, 128, 256, 512, 1024, 2048};
    }
    return plan;
}

/// The matrices' storage types, "Q4_K" or "Q8_0 + F32", in first-seen order.
std::string weightTypes(const ModelWeights& w) {
    std::string types;
    const auto add = [&](const WeightMatrix& m) {
        if (m.size() == 0) return;
        const std::string name = ggmlTypeName(m.type());
        if (types.empty()) {
            types = name;
        } else if (types.find(name) == std::string::npos) {
            types += " + " + name;
        }
    };
    add(w.token_embd);
    for (const LayerWeights& l : w.layers) {
        for (const WeightMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            add(*m);
    }
    add(w.output);
    return types;
}

std::int64_t storedWeightBytes(const ModelWeights& w) {
    std::int64_t bytes = w.token_embd.storedBytes() + w.output.storedBytes();
    for (const LayerWeights& l : w.layers) {
        for (const WeightMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            bytes += m->storedBytes();
    }
    return bytes;
}

/// Counts progress lines: "bench: [3/24] ...".
struct Progress {
    std::ostream& err;
    std::size_t done = 0;
    std::size_t total = 0;
};

ModelRun benchModel(const BenchModel& bench_model, int n_threads, const CopyBandwidth& copy,
                    const BenchPlan& plan, Progress& progress) {
    ModelRun run;
    run.model = bench_model.name;
    run.config = bench_model.model->config;
    run.n_threads = n_threads;
    run.backend = makeRequestedBackend(n_threads)->name();
    run.copy = copy;
    run.weight_types = weightTypes(bench_model.model->weights);
    run.weight_bytes = storedWeightBytes(bench_model.model->weights);
    for (std::int64_t context : plan.lengths) {
        LengthResult r;
        r.cached =
            timeDecode(bench_model.model, CacheMode::Cached, n_threads, context, plan.cached_steps);
        r.recompute = timeDecode(bench_model.model, CacheMode::Recompute, n_threads, context,
                                 plan.recomputeSteps(context));
        progress.err << "bench: [" << ++progress.done << "/" << progress.total << "] "
                     << run.config.name << ", " << threadCount(n_threads) << ", context " << context
                     << ": cached " << fixed(r.cached.ms_per_token, 4) << " ms/token, recompute "
                     << fixed(r.recompute.ms_per_token, 3) << " ms/token (" << fixed(r.speedup(), 1)
                     << "x)" << std::endl;
        run.lengths.push_back(r);
    }
    run.rss_after_bytes = residentBytes();
    return run;
}

/// GgufFile::open on the sparse file, then on stories260K.gguf when it is there.
std::vector<GgufOpenTiming> benchGgufOpen(const BenchPlan& plan, std::ostream& err) {
    std::vector<GgufOpenTiming> timings;
    err << "bench: GgufFile::open on a sparse GGUF of " << formatBytes(plan.sparse_gguf_bytes)
        << " in " << std::filesystem::temp_directory_path().string() << "..." << std::endl;
    timings.push_back(timeSparseGgufOpen(plan.sparse_gguf_bytes, plan.open_repetitions));
    const std::string stories = stories260kPath();
    std::error_code error;
    if (std::filesystem::is_regular_file(stories, error)) {
        err << "bench: GgufFile::open on " << stories << "..." << std::endl;
        timings.push_back(timeGgufOpen(stories, "stories260K.gguf", plan.open_repetitions));
    } else {
        err << "bench: " << stories << " not found; GGUF open timed on the sparse file only"
            << std::endl;
    }
    return timings;
}

/// The trace replay (when stories260K is among the models) and the config.json-like read.
std::vector<JsonReadTiming> benchJsonRead(const BenchPlan& plan,
                                          const std::vector<BenchModel>& models,
                                          std::ostream& err) {
    std::vector<JsonReadTiming> timings;
    const auto stories = std::find_if(models.begin(), models.end(), [](const BenchModel& m) {
        return m.model->config.name == "stories260K";
    });
    if (stories != models.end()) {
        err << "bench: writing and reading back a stories260K trace of " << plan.trace_positions
            << " positions with every attention row..." << std::endl;
        timings.push_back(timeTraceReplay(stories->model, stories260kPath(), plan.trace_positions));
    } else {
        err << "bench: stories260K is not among the models; no trace replay" << std::endl;
    }
    err << "bench: reading a config.json-like document of " << formatBytes(plan.config_bytes)
        << "..." << std::endl;
    timings.push_back(timeConfigRead(plan.config_bytes));
    return timings;
}

int runBench(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
    if (args.has("kernels")) return runKernelBench(args, out, err);
    const BenchPlan plan = makePlan(args.has("quick"));
    const std::string model_list = args.optionalValue("models").value_or(defaultBenchModels());
    BenchResults results;
    results.quick = args.has("quick");
    results.hardware_threads = CpuBackend(0).nThreads();
    std::vector<int> thread_counts{1};
    if (results.hardware_threads > 1) thread_counts.push_back(results.hardware_threads);
    const std::string only = args.optionalValue("only").value_or("");
    if (!only.empty() && only != "evict" && only != "decode")
        throw InputError("--only: '" + only + "' is not a section (decode, evict)");

    // Models first, so that a bad --models fails before anything is timed.
    err << "bench: building the models (" << model_list << ")..." << std::endl;
    const std::vector<BenchModel> models = benchModels(model_list);
    const auto evictSection = [&] {
        for (const BenchModel& bench_model : models) {
            // Context 512 (stories260K's trained length) and 2048 for the 15M-class model;
            // --quick: 64. Budget: half the context.
            const std::int64_t context =
                results.quick ? 64 : (bench_model.model->config.max_context >= 2048 ? 2048 : 512);
            err << "bench: " << bench_model.name << " decode with each eviction policy at context "
                << context << "..." << std::endl;
            results.evict_decodes.push_back(
                timeEvictDecode(bench_model.name, bench_model.model, context, plan.codec_steps));
        }
    };
    if (only == "evict") {
        evictSection();
        if (args.has("json")) {
            JsonWriter json(out);
            json.beginObject();
            writeEvictJson(json, results.evict_decodes);
            json.endObject();
            out << "\n";
        } else {
            writeEvictTables(results.evict_decodes, out);
        }
        return 0;
    }
    for (int n : thread_counts) {
        err << "bench: memcpy of " << formatBytes(plan.copy_bytes) << " with " << threadCount(n)
            << "..." << std::endl;
        results.copies.push_back(measureCopyBandwidth(plan.copy_bytes, n, plan.copy_repetitions));
    }
    Progress progress{err, 0, models.size() * thread_counts.size() * plan.lengths.size()};
    for (const BenchModel& bench_model : models) {
        err << "bench: peak RSS of " << bench_model.name << " alone, in a child process..."
            << std::endl;
        const ModelRunMemory memory =
            measureModelRunMemory(bench_model.entry, plan.lengths.back(), plan.cached_steps);
        for (std::size_t t = 0; t < thread_counts.size(); ++t) {
            ModelRun run =
                benchModel(bench_model, thread_counts[t], results.copies[t], plan, progress);
            run.run_peak_rss_context = plan.lengths.back();
            run.run_peak_rss_bytes = memory.peak_rss_bytes;
            run.run_memory_error = memory.error;
            results.runs.push_back(std::move(run));
        }
    }
    if (only == "decode") {
        results.peak_rss_bytes = peakResidentBytes();
        if (args.has("json"))
            writeBenchJson(results, out);
        else
            writeBenchTable(results, out);
        return 0;
    }
    results.gguf_opens = benchGgufOpen(plan, err);
    err << "bench: KV codecs, encode/decode of " << formatBytes(plan.codec_bytes) << "..."
        << std::endl;
    results.codecs = timeCodecs(plan.codec_bytes, plan.codec_repetitions);
    for (const BenchModel& bench_model : models) {
        err << "bench: " << bench_model.name << " decode with each KV codec at context "
            << plan.codec_context << "..." << std::endl;
        results.codec_decodes.push_back(timeCodecDecode(bench_model.name, bench_model.model,
                                                        plan.codec_context, plan.codec_steps));
    }
    evictSection();
    results.paging = runPagingBench(results.quick, err);
    results.json_reads = benchJsonRead(plan, models, err);
    results.peak_rss_bytes = peakResidentBytes();
    if (args.has("json")) {
        writeBenchJson(results, out);
    } else {
        writeBenchTable(results, out);
    }
    return 0;
}

}  // namespace

const Command& benchCommand() {
    static const Command command{
        "bench", "time decode per token, cached vs recompute, and the memory bandwidth it reaches",
        kDetails, kFlags, runBench};
    return command;
}

}  // namespace kvscope::cli

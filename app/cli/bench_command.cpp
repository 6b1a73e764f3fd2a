// `kvscope-cli bench`: decode time per token, cached vs recompute, at growing context lengths,
// for the demo model and a 15M-class config, with 1 thread and all threads, next to the memcpy
// bandwidth of this machine.
#include <algorithm>
#include <ostream>
#include <thread>

#include "app/cli/bandwidth.h"
#include "app/cli/bench_models.h"
#include "app/cli/bench_report.h"
#include "app/cli/bench_runner.h"
#include "app/cli/command.h"
#include "app/cli/text_format.h"
#include "core/engine/cpu_backend.h"

namespace kvscope::cli {

namespace {

constexpr FlagSpec kFlags[] = {
    {"json", "", "print one JSON object instead of the table"},
    {"quick", "", "fewer context lengths and repetitions (well under a minute)"},
};

constexpr std::string_view kDetails =
    "Measures, for builtin:demo and a 15M-parameter-class config (d_model 288, 6 layers, 6 heads,\n"
    "head_dim 48, d_ff 768, vocab 32000, random weights), with 1 thread and with all threads:\n"
    "  - decode ms/token at context 64, 128, 256, 512, 1024, 2048 (--quick: 64, 256), cached\n"
    "    and recompute (median of several step() calls after a prefill of context - 1 tokens);\n"
    "  - the speedup recompute / cached;\n"
    "  - the bandwidth cached decode achieves reading weights (and weights + K/V), from the\n"
    "    analytic bytes of a step over its time, next to memcpy of a 256 MiB buffer.\n"
    "GB/s = 1e9 bytes/s; memcpy counts read + write bytes. Progress goes to stderr.\n";

struct BenchPlan {
    std::vector<std::int64_t> lengths;
    int cached_steps = 32;
    int copy_repetitions = 5;
    std::int64_t copy_bytes = std::int64_t(256) << 20;  // 256 MiB: far beyond any L3
    /// Recompute re-runs the whole sequence per step, so long contexts get fewer timed steps.
    int recomputeSteps(std::int64_t context) const { return context <= 512 ? 5 : 3; }
};

BenchPlan makePlan(bool quick) {
    BenchPlan plan;
    if (quick) {
        plan.lengths = {64, 256};
        plan.cached_steps = 8;
        plan.copy_repetitions = 3;
    } else {
        plan.lengths = {64, 128, 256, 512, 1024, 2048};
    }
    return plan;
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
    run.backend = CpuBackend(n_threads).name();
    run.copy = copy;
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
    return run;
}

int runBench(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
    const BenchPlan plan = makePlan(args.has("quick"));
    BenchResults results;
    results.quick = args.has("quick");
    results.hardware_threads = CpuBackend(0).nThreads();
    std::vector<int> thread_counts{1};
    if (results.hardware_threads > 1) thread_counts.push_back(results.hardware_threads);

    for (int n : thread_counts) {
        err << "bench: memcpy of " << iecBytes(plan.copy_bytes) << " with " << threadCount(n)
            << "..." << std::endl;
        results.copies.push_back(measureCopyBandwidth(plan.copy_bytes, n, plan.copy_repetitions));
    }
    err << "bench: building the models..." << std::endl;
    const std::vector<BenchModel> models = benchModels();
    Progress progress{err, 0, models.size() * thread_counts.size() * plan.lengths.size()};
    for (const BenchModel& bench_model : models) {
        for (std::size_t t = 0; t < thread_counts.size(); ++t) {
            results.runs.push_back(
                benchModel(bench_model, thread_counts[t], results.copies[t], plan, progress));
        }
    }
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

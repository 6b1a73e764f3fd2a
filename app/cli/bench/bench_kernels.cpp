#include "app/cli/bench/bench_kernels.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/bench/bench_models.h"
#include "core/engine/backend_select.h"
#include "core/engine/session.h"
#include "core/util/error.h"
#include "core/util/json_writer.h"
#if KVSCOPE_HAVE_CUDA
#include "kernels/kernel_bench.h"
#endif

namespace kvscope::cli {

namespace {

/// One model decoding on one backend: greedy, a 16-token prompt, then `steps` steps.
struct EndToEnd {
    std::string model, backend;
    std::int64_t steps = 0;
    double tokens_per_s = 0;
    std::vector<TokenId> tokens;
};

[[maybe_unused]] EndToEnd timeEndToEnd(const BenchModel& m, std::unique_ptr<Backend> backend,
                                       std::int64_t steps) {
    SessionOptions options;
    options.record_attention = false;
    options.record_top_k = 0;
    const std::int64_t limit = m.model->config.max_context;
    EndToEnd r;
    r.model = m.name;
    r.backend = backend->name();
    Session session(m.model, options, std::move(backend));
    std::vector<TokenId> prompt;
    for (TokenId t = 0; t < 16; ++t)
        prompt.push_back(TokenId((t * 7 + 1) % m.model->config.vocab));
    session.prefill(prompt);
    const auto start = std::chrono::steady_clock::now();
    while (r.steps < steps && session.position() < limit) {
        session.step();
        ++r.steps;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.tokens_per_s = seconds > 0 ? double(r.steps) / seconds : 0;
    r.tokens = session.tokens();
    return r;
}

}  // namespace

int runKernelBench(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
#if !KVSCOPE_HAVE_CUDA
    (void)args;
    (void)out;
    (void)err;
    throw InputError("bench --kernels times the CUDA kernels: " + cudaAvailability().reason);
#else
    if (requestedBackend() != BackendKind::Cuda) {
        const CudaAvailability cuda = cudaAvailability();
        throw InputError(
            "bench --kernels times the CUDA kernels: give --backend cuda" +
            (cuda.available ? std::string() : " (CUDA is unavailable: " + cuda.reason + ")"));
    }
    const bool quick = args.has("quick");
    KernelBenchPlan plan;
    plan.codecs = {KvDtype::F32,      KvDtype::F16,  KvDtype::BF16, KvDtype::FP8_E4M3,
                   KvDtype::FP8_E5M2, KvDtype::INT8, KvDtype::INT4, KvDtype::Q8_0};
    plan.batches =
        quick ? std::vector<std::int64_t>{1, 16} : std::vector<std::int64_t>{1, 4, 16, 64};
    plan.contexts = quick ? std::vector<std::int64_t>{1024, 4096}
                          : std::vector<std::int64_t>{1024, 2048, 4096, 8192, 16384, 32768};
    const auto progress = [](const std::string& line, void* stream) {
        *static_cast<std::ostream*>(stream) << "bench --kernels: " << line << "..." << std::endl;
    };
    const KernelBenchResult kernels = benchDecodeAttention(plan, progress, &err);

    const std::string model_list = args.optionalValue("models").value_or(defaultBenchModels());
    std::vector<EndToEnd> runs;
    for (const BenchModel& m : benchModels(model_list)) {
        err << "bench --kernels: " << m.name << " end to end, 200 steps, CUDA and CPU..."
            << std::endl;
        runs.push_back(timeEndToEnd(m, makeBackend(BackendKind::Cuda, 0).backend, 200));
        runs.push_back(timeEndToEnd(m, makeBackend(BackendKind::Cpu, 0).backend, 200));
    }

    if (args.has("json")) {
        JsonWriter json(out);
        json.beginObject();
        json.field("device", kernels.device);
        json.field("copy_bytes", kernels.copy_bytes);
        json.field("copy_gbps", kernels.copy_bytes_per_s / 1e9);
        json.key("shape").beginObject();
        json.field("n_heads", plan.n_heads);
        json.field("n_kv_heads", plan.n_kv_heads);
        json.field("head_dim", plan.head_dim);
        json.field("block_size", plan.block_size);
        json.endObject();
        json.key("decode_attention").beginArray();
        for (const KernelBenchPoint& p : kernels.points) {
            json.beginObject();
            json.field("codec", std::string(toString(p.codec)));
            json.field("batch", p.batch);
            json.field("context", p.context);
            json.field("splits", p.splits);
            json.field("ms", p.seconds * 1e3);
            json.field("kv_bytes", p.kv_bytes);
            json.field("gbps", p.bytes_per_s / 1e9);
            json.field("copy_fraction", p.copy_fraction);
            json.endObject();
        }
        json.endArray();
        json.key("end_to_end").beginArray();
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const EndToEnd& r = runs[i];
            json.beginObject();
            json.field("model", r.model);
            json.field("backend", r.backend);
            json.field("steps", r.steps);
            json.field("tokens_per_s", r.tokens_per_s);
            // CUDA rows (even) against the CPU row after them: the same greedy tokens?
            json.field("same_tokens_as_cpu", runs[i - i % 2 + 1].tokens == runs[i - i % 2].tokens);
            json.endObject();
        }
        json.endArray();
        json.endObject();
        out << "\n";
        return 0;
    }
    out << "decode attention on " << kernels.device << " (" << plan.n_heads << " query heads, "
        << plan.n_kv_heads << " KV heads, head_dim " << plan.head_dim << ", blocks of "
        << plan.block_size << "); device copy " << kernels.copy_bytes_per_s / 1e9 << " GB/s\n";
    out << "codec      batch  context  splits        ms     GB/s  of copy\n";
    char line[160];
    for (const KernelBenchPoint& p : kernels.points) {
        std::snprintf(line, sizeof line, "%-9s %6lld %8lld %7lld %9.4f %8.1f %7.1f%%\n",
                      std::string(toString(p.codec)).c_str(), (long long)p.batch,
                      (long long)p.context, (long long)p.splits, p.seconds * 1e3,
                      p.bytes_per_s / 1e9, 100.0 * p.copy_fraction);
        out << line;
    }
    out << "\nend to end (greedy, 200 steps after a 16-token prompt)\n";
    for (const EndToEnd& r : runs)
        out << "  " << r.model << " on " << r.backend << ": " << r.tokens_per_s << " tokens/s\n";
    return 0;
#endif
}

}  // namespace kvscope::cli

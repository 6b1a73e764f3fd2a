#pragma once
// What `kvscope-cli bench` measured, and its two presentations: a table with units for people
// and one JSON object for scripts. GB/s means 1e9 bytes per second throughout.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli/bench/bandwidth.h"
#include "app/cli/bench/bench_codec.h"
#include "app/cli/bench/bench_evict.h"
#include "app/cli/bench/bench_gguf_open.h"
#include "app/cli/bench/bench_json_read.h"
#include "app/cli/bench/bench_paging.h"
#include "app/cli/bench/bench_runner.h"
#include "core/model/model_config.h"

namespace kvscope::cli {

struct LengthResult {
    DecodeTiming cached;
    DecodeTiming recompute;
    double speedup() const { return recompute.ms_per_token / cached.ms_per_token; }
    /// Weight bytes the cached step read / its median time, in 1e9 bytes/s.
    double cachedWeightGBps() const { return cached.weight_bytes / cached.ms_per_token / 1e6; }
    /// (Weight + K/V) bytes the cached step read / its median time, in 1e9 bytes/s.
    double cachedReadGBps() const {
        return (cached.weight_bytes + cached.kv_bytes_read) / cached.ms_per_token / 1e6;
    }
};

struct ModelRun {
    std::string model;
    ModelConfig config;
    int n_threads = 1;                 // threads the backend used
    std::string backend;               // Backend::name()
    CopyBandwidth copy;                // memcpy with the same number of threads
    std::string weight_types;          // "Q4_K", "F32", "Q8_0 + F32" (the matrices' types)
    std::int64_t weight_bytes = 0;     // the matrices as stored (resident while it runs)
    std::int64_t rss_after_bytes = 0;  // the process's resident memory after this run
    /// Loading this model alone and decoding it at the longest context (1 thread), in a child
    /// process: its peak RSS increase (bench_model_rss.h); 0 with `run_memory_error` when not
    /// measured. The same for every thread count of the model.
    std::int64_t run_peak_rss_bytes = 0;
    std::int64_t run_peak_rss_context = 0;
    std::string run_memory_error;
    std::vector<LengthResult> lengths;
    /// A context longer than the model's max_context (stories260K: trained at 512) is timed
    /// anyway, since the bench sets SessionOptions::max_context, but the report marks it.
    bool beyondMaxContext(const LengthResult& r) const {
        return r.cached.context > config.max_context;
    }
};

struct BenchResults {
    bool quick = false;
    int hardware_threads = 1;           // the default thread count (--threads, OMP_NUM_THREADS)
    std::int64_t peak_rss_bytes = 0;    // the process's peak resident memory (VmHWM)
    std::vector<CopyBandwidth> copies;  // [1 thread, all threads]
    std::vector<ModelRun> runs;
    std::vector<GgufOpenTiming> gguf_opens;     // [sparse file, stories260K.gguf when present]
    std::vector<CodecThroughput> codecs;        // KV codec encode/decode GB/s
    std::vector<CodecDecodeRun> codec_decodes;  // engine decode per KV codec, per model
    std::vector<EvictDecodeRun> evict_decodes;  // engine decode per eviction policy, per model
    PagingBench paging;                         // block allocator and serving simulation
    std::vector<JsonReadTiming> json_reads;     // [trace replay when stories260K is there, config]
};

/// The targets, judged from the results (nullopt: not measured in this run).
struct BenchTargets {
    std::optional<double> demo_speedup_2048;  // recompute / cached at context 2048; >= 50 wanted
    /// 15M config, 1 thread, cached decode at the shortest context (where weights dominate):
    /// weight bytes/s over memcpy (read + write) bytes/s with 1 thread; >= 0.5 wanted.
    std::optional<double> weights_vs_memcpy;
};
BenchTargets judgeTargets(const BenchResults& results);

void writeBenchTable(const BenchResults& results, std::ostream& out);
void writeBenchJson(const BenchResults& results, std::ostream& out);

}  // namespace kvscope::cli

#include "app/cli/bench/bench_report.h"

#include "app/cli/config_json.h"
#include "app/cli/help.h"
#include "app/cli/text_format.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

constexpr double kSpeedupTarget = 50.0;
constexpr double kWeightsVsMemcpyTarget = 0.5;
constexpr std::int64_t kSpeedupContext = 2048;

const CopyBandwidth* copyFor(const BenchResults& results, int n_threads) {
    for (const CopyBandwidth& copy : results.copies) {
        if (copy.n_threads == n_threads) return &copy;
    }
    return nullptr;
}

/// Milliseconds with about four significant digits.
std::string formatMs(double ms) {
    return fixed(ms, ms < 1 ? 4 : ms < 100 ? 3 : 1);
}

std::string verdict(double value, double target) {
    return value >= target ? "met" : "NOT met";
}

void writeRunTable(const ModelRun& run, std::ostream& out) {
    const ModelConfig& c = run.config;
    const std::int64_t kv_per_token = c.kvBytesPerTokenPerLayer(4) * c.n_layers;
    const double weight_bytes = run.lengths.empty() ? 0 : run.lengths.front().cached.weight_bytes;
    out << "\n"
        << run.model << ", " << run.backend << "\n"
        << "  weights " << (run.weight_types.empty() ? "F32" : run.weight_types) << ", "
        << formatBytes(run.weight_bytes) << " stored; read per decode step "
        << formatBytes(std::int64_t(weight_bytes)) << "; resident after the run "
        << formatBytes(run.rss_after_bytes) << "\n  peak RSS of this model alone (loaded and run "
        << "at context " << run.run_peak_rss_context << " in a child process): "
        << (run.run_memory_error.empty() ? formatBytes(run.run_peak_rss_bytes)
                                         : "not measured (" + run.run_memory_error + ")")
        << "\n  KV cache " << formatBytes(kv_per_token) << " per token (fp32, " << c.n_layers
        << " layers x " << c.n_kv_heads << " KV heads x " << c.head_dim << ")\n";
    const char* header[] = {"context",        "cached ms/token", "recompute ms/token",
                            "speedup",        "weights GB/s",    "weights+KV GB/s",
                            "weights/memcpy", "prefill tok/s"};
    const std::size_t width[] = {8, 16, 19, 9, 13, 16, 15, 14};
    out << " ";
    for (std::size_t i = 0; i < std::size(header); ++i)
        out << padLeft(header[i], width[i]);
    out << "\n";
    const double memcpy_gbps = run.copy.median_seconds > 0 ? run.copy.readWriteGBps() : 0;
    bool any_beyond = false;
    for (const LengthResult& r : run.lengths) {
        any_beyond = any_beyond || run.beyondMaxContext(r);
        const std::string cells[] = {
            std::to_string(r.cached.context) + (run.beyondMaxContext(r) ? "*" : ""),
            formatMs(r.cached.ms_per_token),
            formatMs(r.recompute.ms_per_token),
            fixed(r.speedup(), 1) + "x",
            fixed(r.cachedWeightGBps(), 2),
            fixed(r.cachedReadGBps(), 2),
            memcpy_gbps > 0 ? fixed(100.0 * r.cachedWeightGBps() / memcpy_gbps, 0) + "%" : "-",
            fixed(r.cached.prefill_tokens_per_s, 0),
        };
        out << " ";
        for (std::size_t i = 0; i < std::size(cells); ++i)
            out << padLeft(cells[i], width[i]);
        out << "\n";
    }
    if (any_beyond) {
        out << "  * beyond the model's max_context (" << c.max_context
            << "): timed anyway, the bench sets SessionOptions::max_context\n";
    }
}

void writeCopyJson(JsonWriter& json, const CopyBandwidth& copy) {
    json.beginObject();
    json.field("threads", copy.n_threads);
    json.field("buffer_bytes", copy.buffer_bytes);
    json.field("repetitions", copy.repetitions);
    json.field("median_seconds", copy.median_seconds);
    json.field("read_write_gb_per_s", copy.readWriteGBps());
    json.field("copy_gb_per_s", copy.copyGBps());
    json.endObject();
}

void writeConfigJson(JsonWriter& json, const ModelConfig& c) {
    json.beginObject();
    json.field("name", c.name);
    writeShapeFields(json, c);
    json.field("max_context", c.max_context);
    json.field("parameters", c.parameterCount());
    json.endObject();
}

void writeTimingJson(JsonWriter& json, std::string_view prefix, const DecodeTiming& t) {
    const std::string p(prefix);
    json.field(p + "ms_per_token", t.ms_per_token);
    json.field(p + "steps_timed", t.n_steps);
    json.field(p + "weight_bytes_per_token", t.weight_bytes);
    json.field(p + "kv_bytes_read_per_token", t.kv_bytes_read);
    json.field(p + "flops_per_token", t.flops);
    json.field(p + "prefill_tokens_per_s", t.prefill_tokens_per_s);
}

void writeRunJson(JsonWriter& json, const ModelRun& run) {
    json.beginObject();
    json.field("model", run.model);
    json.key("config");
    writeConfigJson(json, run.config);
    json.field("threads", run.n_threads);
    json.field("backend", run.backend);
    json.field("memcpy_read_write_gb_per_s", run.copy.readWriteGBps());
    json.field("weight_types", run.weight_types);
    json.field("weight_bytes", run.weight_bytes);
    json.field("rss_after_bytes", run.rss_after_bytes);
    json.key("run_peak_rss_bytes");
    if (run.run_memory_error.empty())
        json.value(run.run_peak_rss_bytes);
    else
        json.null();
    json.field("run_peak_rss_context", run.run_peak_rss_context);
    json.key("lengths").beginArray();
    for (const LengthResult& r : run.lengths) {
        json.beginObject();
        json.field("context", r.cached.context);
        json.field("beyond_max_context", run.beyondMaxContext(r));
        writeTimingJson(json, "cached_", r.cached);
        writeTimingJson(json, "recompute_", r.recompute);
        json.field("speedup", r.speedup());
        json.field("cached_weight_gb_per_s", r.cachedWeightGBps());
        json.field("cached_weight_kv_read_gb_per_s", r.cachedReadGBps());
        json.field("cached_weights_vs_memcpy", r.cachedWeightGBps() / run.copy.readWriteGBps());
        json.endObject();
    }
    json.endArray();
    json.endObject();
}

template <class T>
void writeOptional(JsonWriter& json, std::string_view name, const std::optional<T>& value) {
    json.key(name);
    if (value)
        json.value(*value);
    else
        json.null();
}

}  // namespace

BenchTargets judgeTargets(const BenchResults& results) {
    BenchTargets targets;
    for (const ModelRun& run : results.runs) {
        if (run.lengths.empty()) continue;
        if (run.model == "builtin:demo" && !targets.demo_speedup_2048) {
            for (const LengthResult& r : run.lengths) {
                if (r.cached.context == kSpeedupContext) targets.demo_speedup_2048 = r.speedup();
            }
        }
        if (run.config.d_model == 288 && run.n_threads == 1 && !targets.weights_vs_memcpy &&
            run.copy.median_seconds > 0) {
            targets.weights_vs_memcpy =
                run.lengths.front().cachedWeightGBps() / run.copy.readWriteGBps();
        }
    }
    return targets;
}

void writeBenchTable(const BenchResults& results, std::ostream& out) {
    out << "kvscope-cli bench" << (results.quick ? " --quick" : "")
        << ": decode time per token, cached (KV cache) vs recompute (no cache), CPU\n"
        << "ms/token = median wall time of one Session::step() at that context length.\n"
        << "GB/s = 1e9 bytes/s. Weights GB/s = weight bytes one cached step reads (as stored: "
           "quantized\nblocks as blocks) / its time; prefill tok/s = the prefill of context - 1 "
           "tokens;\nmemcpy GB/s counts read + write bytes (copying B bytes "
           "moves 2B).\nA pure read stream can beat memcpy's read+write rate a little; far above "
           "100% "
           "means the\nweights sit in the CPU caches (the demo model's are small).\n\nmemcpy "
           "bandwidth:";
    for (const CopyBandwidth& copy : results.copies) {
        out << "  " << threadCount(copy.n_threads) << " " << fixed(copy.readWriteGBps(), 2)
            << " GB/s";
    }
    if (!results.copies.empty()) {
        out << "  (" << formatBytes(results.copies.front().buffer_bytes) << " buffer, median of "
            << results.copies.front().repetitions << ")";
    }
    out << "\n";
    for (const ModelRun& run : results.runs)
        writeRunTable(run, out);
    out << "\npeak resident memory of the bench process: " << formatBytes(results.peak_rss_bytes)
        << "\n";
    if (!results.gguf_opens.empty()) writeGgufOpenTable(results.gguf_opens, out);
    writeCodecTables(results.codecs, results.codec_decodes, out);
    writeEvictTables(results.evict_decodes, out);
    writePagingTables(results.paging, out);
    if (!results.json_reads.empty()) writeJsonReadTable(results.json_reads, out);

    const BenchTargets targets = judgeTargets(results);
    out << "\nTargets:\n  builtin:demo cached vs recompute at context 2048: ";
    if (targets.demo_speedup_2048) {
        out << fixed(*targets.demo_speedup_2048, 1)
            << "x faster (target >= " << fixed(kSpeedupTarget, 0)
            << "x): " << verdict(*targets.demo_speedup_2048, kSpeedupTarget) << "\n";
    } else {
        out << "not measured" << (results.quick ? " (--quick)" : "") << "\n";
    }
    out << "  random-15m, 1 thread, cached decode at the shortest context: ";
    if (targets.weights_vs_memcpy) {
        const CopyBandwidth* copy = copyFor(results, 1);
        out << "weights read at " << fixed(100.0 * *targets.weights_vs_memcpy, 0) << "% of memcpy"
            << (copy ? " (" + fixed(copy->readWriteGBps(), 2) + " GB/s read+write)" : "")
            << " (target >= " << fixed(100 * kWeightsVsMemcpyTarget, 0)
            << "%): " << verdict(*targets.weights_vs_memcpy, kWeightsVsMemcpyTarget) << "\n";
    } else {
        out << "not measured (--models has no 15M)\n";
    }
}

void writeBenchJson(const BenchResults& results, std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    json.field("kvscope_version", versionString());
    json.field("quick", results.quick);
    json.field("hardware_threads", results.hardware_threads);
    json.field("peak_rss_bytes", results.peak_rss_bytes);
    json.key("units").beginObject();
    json.field("time", "milliseconds per token, median of timed Session::step() calls");
    json.field("bandwidth", "GB/s = 1e9 bytes per second");
    json.field("memcpy", "read + write bytes counted: copying B bytes moves 2B");
    json.field("weight_bytes",
               "the weights one step reads, as stored (quantized blocks as blocks)");
    json.field("gguf_open", "milliseconds per GgufFile::open, median; sizes in bytes");
    json.field("json_read",
               "seconds of one read in a child process; peak_rss_bytes: its peak RSS during the "
               "read minus its RSS before");
    json.endObject();
    json.key("memcpy").beginArray();
    for (const CopyBandwidth& copy : results.copies)
        writeCopyJson(json, copy);
    json.endArray();
    json.key("runs").beginArray();
    for (const ModelRun& run : results.runs)
        writeRunJson(json, run);
    json.endArray();
    json.key("gguf_open");
    writeGgufOpenJson(json, results.gguf_opens);
    writeCodecJson(json, results.codecs, results.codec_decodes);
    writeEvictJson(json, results.evict_decodes);
    writePagingJson(json, results.paging);
    json.key("json_read");
    writeJsonReadJson(json, results.json_reads);
    const BenchTargets targets = judgeTargets(results);
    json.key("targets").beginObject();
    writeOptional(json, "demo_speedup_at_2048", targets.demo_speedup_2048);
    json.field("demo_speedup_target", kSpeedupTarget);
    writeOptional(json, "weights_vs_memcpy_15m_1_thread", targets.weights_vs_memcpy);
    json.field("weights_vs_memcpy_target", kWeightsVsMemcpyTarget);
    json.endObject();
    json.endObject();
    out << "\n";
}

}  // namespace kvscope::cli

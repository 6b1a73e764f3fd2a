#include "app/cli/bench/bench_json_read.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>

#include "app/cli/bench/child_peak_rss.h"
#include "app/cli/bench/scratch_dir.h"
#include "core/engine/session.h"
#include "core/memory/hf_config.h"
#include "core/model/prompt_tokens.h"
#include "core/trace/make_trace.h"
#include "core/trace/scenario_options.h"
#include "core/trace/trace_file.h"
#include "core/trace/trace_json.h"
#include "core/util/file_size.h"

namespace kvscope::cli {

namespace {

constexpr std::string_view kPrompt = "Once upon a time, there was a little";

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string readWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// `model` run to `positions` positions, every attention row recorded.
Trace recordTrace(const std::shared_ptr<const Model>& model, const std::string& model_ref,
                  std::int64_t positions) {
    SessionOptions options;
    options.record_attention = true;
    options.max_context = std::min<std::int64_t>(positions, model->config.max_context);
    Session session(model, options);
    session.prefill(promptTokens(*model, kPrompt));
    while (session.position() < options.max_context)
        session.step();
    Scenario scenario;
    scenario.model = model_ref;
    scenario.prompt = std::string(kPrompt);
    scenario.max_new_tokens = std::int64_t(session.records().size());
    setSessionOptions(scenario, options);
    return makeTrace(*model, scenario, session.records(), session.backend().name());
}

std::int64_t attentionWeights(const Trace& trace) {
    std::int64_t n = 0;
    for (const StepRecord& record : trace.records)
        for (const LayerRecord& layer : record.layers)
            for (const Matrix& head : layer.attention)
                n += std::int64_t(head.size());
    return n;
}

void copyMeasurement(const ChildMeasurement& m, JsonReadTiming& timing) {
    timing.read_seconds = m.seconds;
    timing.read_cpu_seconds = m.cpu_seconds;
    timing.start_rss_bytes = m.start_rss_bytes;
    timing.peak_rss_bytes = m.peak_rss_bytes;
    timing.peak_reset = m.peak_reset;
    timing.error = m.error;
}

/// A deterministic stream of probability-like numbers written as the trace writer would.
class NumberStream {
public:
    std::string next() {
        m_state = m_state * 6364136223846793005ULL + 1442695040888963407ULL;
        const float value = float(m_state >> 40) / float(1 << 24);
        char buffer[32];
        const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
        return std::string(buffer, end);
    }

private:
    std::uint64_t m_state = 42;
};

}  // namespace

JsonReadTiming timeTraceReplay(const std::shared_ptr<const Model>& model,
                               const std::string& model_ref, std::int64_t positions) {
    const ScratchDir dir;
    const std::string path = dir.file("trace.json");
    JsonReadTiming timing;
    std::int64_t written_positions = 0;
    {
        const Trace trace = recordTrace(model, model_ref, positions);
        written_positions = trace.records.back().positionsAfter();
        timing.n_numbers = attentionWeights(trace);
        const auto start = std::chrono::steady_clock::now();
        saveTrace(path, trace, TraceFormat::Json);
        timing.write_seconds = secondsSince(start);
    }
    timing.positions = written_positions;
    timing.label =
        model->config.name + " trace, " + std::to_string(written_positions) + " positions";
    timing.file_bytes = regularFileSize("trace", path);
    const ChildMeasurement m = measureInChild([&](ChildTimer& timer) -> std::int64_t {
        timer.start();
        const Trace trace = readTraceJsonFile(path);
        timer.stop();
        return traceJsonString(trace) == readWholeFile(path) ? 1 : 0;
    });
    copyMeasurement(m, timing);
    if (m.error.empty()) timing.round_trip_identical = m.result == 1;
    return timing;
}

std::string configLikeJson(std::int64_t bytes, std::int64_t& n_numbers) {
    std::string out =
        "{\n  \"_name_or_path\": \"bench/config-like\",\n  \"architectures\": "
        "[\"LlamaForCausalLM\"],\n  \"model_type\": \"llama\",\n  \"hidden_size\": 4096,\n  "
        "\"intermediate_size\": 14336,\n  \"num_attention_heads\": 32,\n  "
        "\"num_hidden_layers\": 32,\n  \"num_key_value_heads\": 8,\n  "
        "\"max_position_embeddings\": 8192,\n  \"vocab_size\": 128256,\n  \"rms_norm_eps\": "
        "1e-05,\n  \"rope_theta\": 500000.0,\n  \"torch_dtype\": \"bfloat16\",\n  "
        "\"bench_blocks\": [";
    n_numbers = 8;
    NumberStream numbers;
    constexpr std::string_view kEnd = "\n  ]\n}\n";
    for (std::int64_t block = 0;; ++block) {
        std::string item = block == 0 ? "\n    " : ",\n    ";
        item += "{\"block_" + std::to_string(block) + "\": {\"name\": \"block " +
                std::to_string(block) + "\", \"layer_scales\": {\"attention\": {";
        const char* projections[] = {"q_proj", "k_proj", "v_proj", "o_proj"};
        for (int p = 0; p < 4; ++p) {
            item += std::string(p == 0 ? "" : ", ") + "\"" + projections[p] + "\": [";
            for (int i = 0; i < 16; ++i)
                item += (i == 0 ? "" : ", ") + numbers.next();
            item += "]";
        }
        item += "}, \"enabled\": true, \"note\": null}}}";
        if (std::int64_t(out.size() + item.size() + kEnd.size()) > bytes) break;
        out += item;
        n_numbers += 64;
    }
    out += kEnd;
    return out;
}

JsonReadTiming timeConfigRead(std::int64_t bytes) {
    const ScratchDir dir;
    const std::string path = dir.file("config.json");
    JsonReadTiming timing;
    timing.label = "config.json-like";
    {
        const std::string text = configLikeJson(bytes, timing.n_numbers);
        std::ofstream(path, std::ios::binary) << text;
    }
    timing.file_bytes = regularFileSize("JSON", path);
    const ChildMeasurement m = measureInChild([&](ChildTimer& timer) -> std::int64_t {
        timer.start();
        const ModelShape shape = readHfConfigFile(path);
        timer.stop();
        return shape.n_layers;
    });
    copyMeasurement(m, timing);
    if (m.error.empty() && m.result != 32)
        timing.error = "read " + std::to_string(m.result) + " layers, expected 32";
    return timing;
}

}  // namespace kvscope::cli

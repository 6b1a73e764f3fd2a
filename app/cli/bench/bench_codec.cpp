#include "app/cli/bench/bench_codec.h"

#include <chrono>
#include <random>
#include <span>

#include "app/cli/stats.h"
#include "app/cli/text_format.h"
#include "core/cache/kv_cache_spec.h"
#include "core/cache/kv_codec.h"
#include "core/cache/kv_dtype.h"
#include "core/util/format_bytes.h"

namespace kvscope::cli {

namespace {

constexpr std::int64_t kRow = 128;
constexpr const char* kDecodeSpecs[] = {"fp32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "int8",
                                        "q8_0", "int4", "q4_0", "int4+w32", "int2",     "kivi2"};

template <typename F>
double medianSeconds(int repetitions, F&& f) {
    std::vector<double> s;
    for (int r = 0; r < repetitions; ++r) {
        const auto start = std::chrono::steady_clock::now();
        f();
        s.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return median(s);
}

CodecThroughput timeOne(const std::string& name, const KvCodec& codec, KvRole role,
                        std::int64_t block_tokens, const std::vector<float>& src, int repetitions) {
    // Blocks of block_tokens rows: 1 row for every row codec, 32 tokens for kivi2 keys.
    const std::int64_t block_values = block_tokens * kRow;
    const std::int64_t n_blocks = std::int64_t(src.size()) / block_values;
    const std::int64_t block_bytes = codec.encodedBytesForTokens(role, kRow, block_tokens);
    std::vector<std::byte> encoded(std::size_t(n_blocks * block_bytes));
    std::vector<float> decoded(std::size_t(n_blocks * block_values));
    const auto encode = [&] {
        for (std::int64_t b = 0; b < n_blocks; ++b)
            codec.encodeTokens(
                role, kRow,
                std::span(src).subspan(std::size_t(b * block_values), std::size_t(block_values)),
                std::span(encoded).subspan(std::size_t(b * block_bytes), std::size_t(block_bytes)));
    };
    const auto decode = [&] {
        for (std::int64_t b = 0; b < n_blocks; ++b)
            codec.decodeTokens(
                role, kRow,
                std::span(encoded).subspan(std::size_t(b * block_bytes), std::size_t(block_bytes)),
                std::span(decoded).subspan(std::size_t(b * block_values),
                                           std::size_t(block_values)));
    };
    encode();  // warm up (pages touched)
    decode();
    CodecThroughput t;
    t.codec = name;
    t.fp32_bytes = n_blocks * block_values * std::int64_t(sizeof(float));
    t.encoded_bytes = std::int64_t(encoded.size());
    t.encode_gbps = double(t.fp32_bytes) / medianSeconds(repetitions, encode) / 1e9;
    t.decode_gbps = double(t.fp32_bytes) / medianSeconds(repetitions, decode) / 1e9;
    return t;
}

/// Decode speed: 1000 / the median ms of one cached step.
double tokensPerSecond(const CodecDecode& d) {
    return d.timing.ms_per_token > 0 ? 1000.0 / d.timing.ms_per_token : 0.0;
}

}  // namespace

std::vector<CodecThroughput> timeCodecs(std::int64_t fp32_bytes, int repetitions) {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> src(std::size_t(fp32_bytes / std::int64_t(sizeof(float))));  // [rows][128]
    for (float& v : src)
        v = normal(rng);
    std::vector<CodecThroughput> out;
    for (const KvDtypeInfo& info : kvDtypes()) {
        const auto codec = makeKvCodec(info.dtype, 0);
        if (info.dtype == KvDtype::KIVI2) {
            out.push_back(timeOne("kivi2 values", *codec, KvRole::Value, 1, src, repetitions));
            out.push_back(
                timeOne("kivi2 keys", *codec, KvRole::Key, kKvGroupSize, src, repetitions));
        } else {
            out.push_back(
                timeOne(std::string(info.name), *codec, KvRole::Value, 1, src, repetitions));
        }
    }
    return out;
}

CodecDecodeRun timeCodecDecode(const std::string& name, std::shared_ptr<const Model> model,
                               std::int64_t context, int n_steps) {
    CodecDecodeRun run;
    run.model = name;
    run.context = context;
    run.n_threads = 1;
    const ModelConfig& c = model->config;
    for (const char* text : kDecodeSpecs) {
        const KvCacheSpec spec = parseKvCacheSpec(text, "bench");
        CodecDecode d;
        d.codec = spec.label();
        d.timing = timeDecode(model, CacheMode::Cached, 1, context, n_steps, spec);
        for (KvRole role : {KvRole::Key, KvRole::Value})
            d.kv_bytes += c.n_layers * c.n_kv_heads *
                          kvBytesForTokens(spec.roleFormat(role), role, c.head_dim, context);
        run.codecs.push_back(d);
    }
    return run;
}

void writeCodecTables(const std::vector<CodecThroughput>& codecs,
                      const std::vector<CodecDecodeRun>& runs, std::ostream& out) {
    if (!codecs.empty()) {
        out << "\nKV codecs: encode / decode throughput on rows of " << kRow
            << " fp32 values, 1 thread.\nGB/s = 1e9 fp32 bytes (in for encode, out for decode) "
               "per second; median of repeated passes.\n";
        out << padRight("codec", 14) << padLeft("fp32 in", 12) << padLeft("encoded", 12)
            << padLeft("encode GB/s", 13) << padLeft("decode GB/s", 13) << "\n";
        for (const CodecThroughput& t : codecs) {
            out << padRight(t.codec, 14) << padLeft(formatBytes(t.fp32_bytes), 12)
                << padLeft(formatBytes(t.encoded_bytes), 12) << padLeft(fixed(t.encode_gbps, 2), 13)
                << padLeft(fixed(t.decode_gbps, 2), 13) << "\n";
        }
    }
    for (const CodecDecodeRun& run : runs) {
        out << "\nEngine decode with each KV codec: " << run.model << ", context " << run.context
            << ", " << threadCount(run.n_threads)
            << ", cached (median ms of one step; KV bytes held at the context).\n";
        const double fp32_ms = run.codecs.empty() ? 0 : run.codecs.front().timing.ms_per_token;
        out << padRight("codec", 12) << padLeft("ms/token", 11) << padLeft("tokens/s", 10)
            << padLeft("vs fp32", 9) << padLeft("KV bytes", 12) << "\n";
        for (const CodecDecode& d : run.codecs) {
            out << padRight(d.codec, 12) << padLeft(fixed(d.timing.ms_per_token, 4), 11)
                << padLeft(fixed(tokensPerSecond(d), 0), 10)
                << padLeft(fixed(d.timing.ms_per_token / fp32_ms, 2) + "x", 9)
                << padLeft(formatBytes(d.kv_bytes), 12) << "\n";
        }
    }
}

void writeCodecJson(JsonWriter& json, const std::vector<CodecThroughput>& codecs,
                    const std::vector<CodecDecodeRun>& runs) {
    json.key("kv_codecs").beginArray();
    for (const CodecThroughput& t : codecs) {
        json.beginObject();
        json.field("codec", t.codec);
        json.field("row_values", kRow);
        json.field("fp32_bytes", t.fp32_bytes);
        json.field("encoded_bytes", t.encoded_bytes);
        json.field("encode_gbps", t.encode_gbps);
        json.field("decode_gbps", t.decode_gbps);
        json.endObject();
    }
    json.endArray();
    json.key("kv_codec_decode").beginArray();
    for (const CodecDecodeRun& run : runs) {
        json.beginObject();
        json.field("model", run.model);
        json.field("context", run.context);
        json.field("threads", run.n_threads);
        json.key("codecs").beginArray();
        for (const CodecDecode& d : run.codecs) {
            json.beginObject();
            json.field("codec", d.codec);
            json.field("ms_per_token", d.timing.ms_per_token);
            json.field("tokens_per_second", tokensPerSecond(d));
            json.field("n_steps", d.timing.n_steps);
            json.field("kv_bytes", d.kv_bytes);
            json.endObject();
        }
        json.endArray();
        json.endObject();
    }
    json.endArray();
}

}  // namespace kvscope::cli

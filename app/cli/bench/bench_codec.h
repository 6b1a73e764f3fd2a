#pragma once
// The KV codecs in `kvscope-cli bench`: encode and decode throughput of each codec on rows of
// 128 values (one KV head of a typical model), and the engine's decode time per token (and
// tokens/s) with each codec storing the live cache.
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli/bench/bench_runner.h"
#include "core/model/model.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

struct CodecThroughput {
    std::string codec;               // "int8", "kivi2 keys" (per channel, blocks of 32 tokens)
    std::int64_t fp32_bytes = 0;     // input per pass
    std::int64_t encoded_bytes = 0;  // output per pass
    double encode_gbps = 0;          // fp32 bytes / median encode time, 1e9 B/s
    double decode_gbps = 0;          // fp32 bytes / median decode time, 1e9 B/s
};

/// Every codec on `fp32_bytes` of seeded normal values in rows of 128; median of `repetitions`.
std::vector<CodecThroughput> timeCodecs(std::int64_t fp32_bytes, int repetitions);

struct CodecDecode {
    std::string codec;          // KvCacheSpec::label()
    DecodeTiming timing;        // cached decode with that cache spec
    std::int64_t kv_bytes = 0;  // K + V bytes held at the context, all layers
};

struct CodecDecodeRun {
    std::string model;
    std::int64_t context = 0;
    int n_threads = 1;
    std::vector<CodecDecode> codecs;
};

/// Cached decode of `model` at `context` with 1 thread for each bench cache spec.
CodecDecodeRun timeCodecDecode(const std::string& name, std::shared_ptr<const Model> model,
                               std::int64_t context, int n_steps);

void writeCodecTables(const std::vector<CodecThroughput>& codecs,
                      const std::vector<CodecDecodeRun>& runs, std::ostream& out);
void writeCodecJson(JsonWriter& json, const std::vector<CodecThroughput>& codecs,
                    const std::vector<CodecDecodeRun>& runs);

}  // namespace kvscope::cli

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "app/cli/bench/bandwidth.h"
#include "app/cli/bench/bench_gguf_open.h"
#include "app/cli/bench/bench_json_read.h"
#include "app/cli/bench/bench_models.h"
#include "app/cli/bench/bench_report.h"
#include "app/cli/bench/child_peak_rss.h"
#include "app/cli/bench/sparse_gguf.h"
#include "app/cli/stats.h"
#include "cli_test_util.h"
#include "core/model/gguf_file.h"
#include "core/util/error.h"
#include "json_value.h"
#include "tests/core/gguf_test_files.h"

using kvscope::test::JsonValue;
using kvscope::test::parseJson;
using kvscope::test::runCliCaptured;

TEST_CASE("bench --quick --json measures every model, thread count and length", "[cli][bench]") {
    const auto stories = kvscope::test::realModelPath("stories260K.gguf");
    const auto result = runCliCaptured({"bench", "--quick", "--json"});
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    CHECK(result.err.find("bench: [") != std::string::npos);  // progress went to stderr
    const JsonValue json = parseJson(result.out);
    CHECK(json["quick"].boolean);
    CHECK(json["units"]["bandwidth"].string.find("1e9") != std::string::npos);

    const JsonValue& copies = json["memcpy"];
    REQUIRE(copies.size() >= 1);
    CHECK(copies[0]["threads"].number == 1);
    CHECK(copies[0]["buffer_bytes"].number >= 256.0 * 1024 * 1024);
    CHECK(copies[0]["read_write_gb_per_s"].number == Approx(2 * copies[0]["copy_gb_per_s"].number));

    const JsonValue& runs = json["runs"];
    const std::size_t n_models = stories ? 3 : 2;    // demo, 15M, stories260K when present
    CHECK(runs.size() == n_models * copies.size());  // the models x the thread counts
    bool saw_15m = false;
    std::size_t stories_runs = 0;
    for (const JsonValue& run : runs.array) {
        INFO(run["model"].string << ", " << run["threads"].number << " threads");
        if (run["config"]["d_model"].number == 288) {
            saw_15m = true;
            CHECK(run["config"]["vocab"].number == 32000);
            CHECK(run["config"]["n_layers"].number == 6);
            // F32, tied: 6 x (4 x 288^2 + 3 x 288 x 768) + 32000 x 288 = 15,187,968 values.
            CHECK(run["weight_bytes"].number == 15187968.0 * 4);
        }
        // The model alone, in a child (loaded or built, then decoded at context 256): a model
        // built in memory holds at least its weights; a mapped file counts the pages it touched.
        INFO("run_peak_rss: " << run["run_peak_rss_bytes"].number);
        CHECK(run["run_peak_rss_context"].number == 256);
        REQUIRE(run["run_peak_rss_bytes"].type == JsonValue::Type::Number);
        if (run["config"]["name"].string == "stories260K")
            CHECK(run["run_peak_rss_bytes"].number > 0);
        else
            CHECK(run["run_peak_rss_bytes"].number >= run["weight_bytes"].number);
        if (run["config"]["name"].string == "stories260K") {
            ++stories_runs;
            CHECK(run["config"]["d_model"].number == 64);
            CHECK(run["config"]["n_kv_heads"].number == 4);
            CHECK(run["config"]["max_context"].number == 512);  // as trained, not the file's 2048
        }
        const JsonValue& lengths = run["lengths"];
        REQUIRE(lengths.size() == 2);
        CHECK(lengths[0]["context"].number == 64);
        CHECK(lengths[1]["context"].number == 256);
        for (const JsonValue& r : lengths.array) {
            CHECK(r["cached_ms_per_token"].number > 0);
            CHECK(r["recompute_ms_per_token"].number > 0);
            CHECK(r["speedup"].number ==
                  Approx(r["recompute_ms_per_token"].number / r["cached_ms_per_token"].number));
            CHECK(r["cached_weight_gb_per_s"].number > 0);
            CHECK(r["cached_weight_kv_read_gb_per_s"].number > r["cached_weight_gb_per_s"].number);
            CHECK(r["recompute_flops_per_token"].number > r["cached_flops_per_token"].number);
            CHECK(r["beyond_max_context"].boolean ==
                  (r["context"].number > run["config"]["max_context"].number));
        }
    }
    CHECK(saw_15m);
    CHECK(stories_runs == (stories ? copies.size() : 0));

    // GGUF header open: the sparse file first, then stories260K.gguf.
    const JsonValue& opens = json["gguf_open"];
    REQUIRE(opens.size() == (stories ? 2 : 1));
    const JsonValue& sparse = opens[0];
    CHECK(sparse["file_bytes"].number >= 8.0 * 1024 * 1024 * 1024);
    CHECK(sparse["disk_bytes"].number < 1024.0 * 1024);  // a hole, not 8 GiB of zeros
    CHECK(sparse["header_bytes"].number < 1024);
    CHECK(sparse["tensors"].number == 1);
    CHECK(sparse["median_ms"].number > 0);
    CHECK(sparse["repetitions"].number >= 5);
    CHECK_FALSE(std::filesystem::exists(sparse["path"].string));  // removed afterwards
    if (stories) {
        CHECK(opens[1]["file_bytes"].number == double(std::filesystem::file_size(*stories)));
        CHECK(opens[1]["tensors"].number == 48);
        CHECK(opens[1]["header_bytes"].number > sparse["header_bytes"].number);
        CHECK(opens[1]["median_ms"].number > 0);
    }
    // Engine decode with each KV codec, per model: ms/token and tokens/s = 1000 / ms.
    const JsonValue& codec_runs = json["kv_codec_decode"];
    REQUIRE(codec_runs.size() == n_models);
    for (const JsonValue& run : codec_runs.array) {
        INFO(run["model"].string);
        CHECK(run["context"].number == 64);
        REQUIRE(run["codecs"].size() == 12);
        CHECK(run["codecs"][0]["codec"].string == "fp32");
        CHECK(run["codecs"][5]["codec"].string == "int8");
        CHECK(run["codecs"][11]["codec"].string == "kivi2");
        for (const JsonValue& d : run["codecs"].array) {
            CHECK(d["ms_per_token"].number > 0);
            CHECK(d["tokens_per_second"].number == Approx(1000.0 / d["ms_per_token"].number));
        }
    }
    // JSON read: the stories260K trace replay (128 positions in --quick), then the config.
    const JsonValue& reads = json["json_read"];
    REQUIRE(reads.size() == (stories ? 2 : 1));
    if (stories) {
        const JsonValue& trace = reads[0];
        INFO("trace read: " << trace["error"].string);
        CHECK(trace["error"].isNull());
        CHECK(trace["positions"].number == 128);
        // 5 layers x 8 heads; a prefill of P prompt tokens has P x P weights per head, a decode
        // step at position p has p + 1: between N (N + 1) / 2 and N^2 per head for N = 128.
        CHECK(trace["numbers"].number >= 40.0 * 128 * 129 / 2);
        CHECK(trace["numbers"].number <= 40.0 * 128 * 128);
        CHECK(trace["round_trip_identical"].boolean);
        // At least the file's text is read into memory.
        CHECK(trace["peak_rss_bytes"].number >= trace["file_bytes"].number);
        CHECK(trace["read_seconds"].number > 0);
        CHECK(trace["read_cpu_seconds"].number > 0);
    }
    const JsonValue& config = reads[reads.size() - 1];
    CHECK(config["document"].string == "config.json-like");
    CHECK(config["error"].isNull());
    CHECK(config["file_bytes"].number >= 1000000);
    CHECK(config["file_bytes"].number <= 1 << 20);
    CHECK(config["read_seconds"].number > 0);
    CHECK(json["targets"]["demo_speedup_at_2048"].isNull());  // 2048 is not in --quick
    CHECK(json["targets"]["weights_vs_memcpy_15m_1_thread"].number > 0);
}

TEST_CASE("the 15M bench config has the stories15M shape", "[cli][bench]") {
    const kvscope::ModelConfig c = kvscope::cli::config15m();
    CHECK(c.d_model == 288);
    CHECK(c.n_layers == 6);
    CHECK(c.n_heads == 6);
    CHECK(c.n_kv_heads == 6);
    CHECK(c.head_dim == 48);
    CHECK(c.d_ff == 768);
    CHECK(c.vocab == 32000);
    CHECK_NOTHROW(c.validate());
    CHECK(c.parameterCount() > 14'000'000);
    CHECK(c.parameterCount() < 16'000'000);
}

TEST_CASE("median and the memcpy measurement", "[cli][bench]") {
    using kvscope::cli::median;
    CHECK(median({3.0, 1.0, 2.0}) == 2.0);
    CHECK(median({4.0, 1.0, 3.0, 2.0}) == 2.5);
    CHECK_THROWS(median({}));
    const auto copy = kvscope::cli::measureCopyBandwidth(std::int64_t(4) << 20, 2, 3);
    CHECK(copy.buffer_bytes == std::int64_t(4) << 20);
    CHECK(copy.median_seconds > 0);
    CHECK(copy.readWriteGBps() == Approx(2 * copy.copyGBps()));
}

TEST_CASE("a child's peak RSS is the memory its work touched", "[cli][bench]") {
    using namespace kvscope::cli;
    constexpr std::int64_t kBytes = std::int64_t(64) << 20;
    const ChildMeasurement m = measureInChild([](ChildTimer& timer) -> std::int64_t {
        timer.start();
        std::vector<char> block(std::size_t(kBytes), 1);  // value-initialised: every page touched
        timer.stop();
        return block[std::size_t(kBytes) - 1];
    });
    INFO(m.error);
    REQUIRE(m.error.empty());
    CHECK(m.result == 1);
    CHECK(m.seconds > 0);
    CHECK(m.cpu_seconds >= 0);
    if (m.peak_reset) {
        CHECK(m.peak_rss_bytes >= kBytes);
        CHECK(m.peak_rss_bytes < kBytes + (std::int64_t(16) << 20));
    }
    const ChildMeasurement failed =
        measureInChild([](ChildTimer&) -> std::int64_t { throw kvscope::InputError("bad file"); });
    CHECK(failed.error == "bad file");
}

TEST_CASE("the config.json-like bench document has the size asked for", "[cli][bench]") {
    std::int64_t n_numbers = 0;
    const std::string text = kvscope::cli::configLikeJson(1 << 20, n_numbers);
    CHECK(text.size() >= 1000000);
    CHECK(text.size() <= 1 << 20);
    // 8 numbers at the top; 4 arrays of 16 per block, each block opening with "{\"block_".
    std::int64_t blocks = 0;
    for (std::size_t at = text.find("{\"block_"); at != std::string::npos;
         at = text.find("{\"block_", at + 1))
        ++blocks;
    CHECK(n_numbers == 8 + 64 * blocks);
}

TEST_CASE("bench targets are judged from the right rows", "[cli][bench]") {
    using namespace kvscope::cli;
    BenchResults results;
    CopyBandwidth copy;
    copy.buffer_bytes = 1'000'000'000;
    copy.median_seconds = 0.1;  // 20 GB/s read + write
    results.copies.push_back(copy);
    ModelRun demo;
    demo.model = "builtin:demo";
    demo.copy = copy;
    LengthResult at2048;
    at2048.cached = {2048, 4, 0.5, 1e6, 0, 0};
    at2048.recompute = {2048, 3, 40.0, 1e6, 0, 0};
    demo.lengths.push_back(at2048);
    ModelRun big;
    big.model = "random-15m";
    big.config = config15m();
    big.n_threads = 1;
    big.copy = copy;
    LengthResult at64;
    at64.cached = {64, 4, 6.0, 60e6, 0, 0};  // 10 GB/s of weights
    at64.recompute = {64, 3, 60.0, 60e6, 0, 0};
    big.lengths.push_back(at64);
    results.runs = {demo, big};
    const BenchTargets targets = judgeTargets(results);
    REQUIRE(targets.demo_speedup_2048);
    CHECK(*targets.demo_speedup_2048 == Approx(80.0));
    REQUIRE(targets.weights_vs_memcpy);
    CHECK(*targets.weights_vs_memcpy == Approx(0.5));
    std::ostringstream table;
    writeBenchTable(results, table);
    CHECK(table.str().find("80.0x faster (target >= 50x): met") != std::string::npos);
    CHECK(table.str().find("GB/s = 1e9 bytes/s") != std::string::npos);
}

TEST_CASE("bench --models picks the models and rejects bad lists before timing anything",
          "[cli][bench]") {
    using kvscope::cli::benchModels;
    const auto models = benchModels("builtin:demo-mqa,15M");
    REQUIRE(models.size() == 2);
    CHECK(models[0].model->config.n_kv_heads == 1);
    CHECK(models[1].model->config.d_model == 288);

    for (const std::string list :
         {"", "builtin:demo,,15M", "builtin:demo,", "builtin:nope", "/no/such/model.gguf"}) {
        const auto result = runCliCaptured({"bench", "--quick", "--models", list});
        INFO("--models '" << list << "': " << result.err);
        CHECK(result.code == 2);
        CHECK(result.out.empty());
        CHECK(result.err.find("--models") != std::string::npos);
        CHECK(result.err.find("memcpy") == std::string::npos);  // failed before any timing
    }
}

TEST_CASE("the default bench models include stories260K when the shared file exists",
          "[cli][bench][real-model]") {
    const auto stories = kvscope::test::realModelPath("stories260K.gguf");
    if (!stories) return;
    CHECK(kvscope::cli::defaultBenchModels() == "builtin:demo,15M,stories260K");
    CHECK(std::filesystem::equivalent(kvscope::cli::stories260kPath(), *stories));
    const auto models = kvscope::cli::benchModels("stories260K");
    REQUIRE(models.size() == 1);
    CHECK(models[0].model->config.max_context == 512);
    CHECK(models[0].model->config.vocab == 512);
}

TEST_CASE("a sparse GGUF opens from its header and the timing removes its file", "[cli][bench]") {
    using namespace kvscope::cli;
    kvscope::test::GgufTempDir dir;
    const std::string path = dir.file("sparse.gguf");
    const std::int64_t data_bytes = std::int64_t(1) << 30;  // 1 GiB, a hole
    const std::int64_t header = writeSparseGguf(path, data_bytes);
    CHECK(header % 32 == 0);
    CHECK(std::int64_t(std::filesystem::file_size(path)) == header + data_bytes);
    const kvscope::GgufFile file = kvscope::GgufFile::open(path);
    CHECK(file.version() == 3);
    CHECK(file.dataOffset() == header);
    REQUIRE(file.tensors().size() == 1);
    CHECK(file.tensors()[0].byte_size == data_bytes);
    CHECK(file.findString("general.architecture") == "sparse");

    const GgufOpenTiming timing = timeSparseGgufOpen(data_bytes, 3);
    CHECK(timing.file_bytes == header + data_bytes);
    CHECK(timing.header_bytes == header);
    CHECK(timing.repetitions == 3);
    CHECK(timing.median_ms > 0);
    CHECK_FALSE(std::filesystem::exists(timing.path));
    CHECK_FALSE(std::filesystem::exists(std::filesystem::path(timing.path).parent_path()));
    CHECK_THROWS_AS(timeGgufOpen(dir.file("missing.gguf"), "missing", 3), kvscope::InputError);
}

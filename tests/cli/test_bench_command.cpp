#include <catch2/catch.hpp>

#include <string>

#include "app/cli/bandwidth.h"
#include "app/cli/bench_models.h"
#include "app/cli/bench_report.h"
#include "app/cli/stats.h"
#include "cli_test_util.h"
#include "json_value.h"

using kvscope::test::JsonValue;
using kvscope::test::parseJson;
using kvscope::test::runCliCaptured;

TEST_CASE("bench --quick --json measures every model, thread count and length", "[cli][bench]") {
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
    CHECK(runs.size() == 2 * copies.size());  // 2 models x the thread counts
    bool saw_15m = false;
    for (const JsonValue& run : runs.array) {
        INFO(run["model"].string << ", " << run["threads"].number << " threads");
        if (run["config"]["d_model"].number == 288) {
            saw_15m = true;
            CHECK(run["config"]["vocab"].number == 32000);
            CHECK(run["config"]["n_layers"].number == 6);
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
        }
    }
    CHECK(saw_15m);
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

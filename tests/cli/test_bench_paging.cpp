// The paging entries of `kvscope-cli bench`: the allocator timing counts its operations and
// leaves nothing behind, the simulation timing runs every policy to completion, and both reach
// the table and the JSON.
#include <catch2/catch.hpp>

#include <sstream>

#include "app/cli/bench/bench_paging.h"
#include "json_value.h"

using kvscope::test::parseJson;
using namespace kvscope::cli;

TEST_CASE("allocator timing covers whole fill/empty cycles of the pool", "[cli][bench][paging]") {
    const AllocatorTiming small = timeAllocator(1000, 10'000, 1);
    CHECK(small.n_blocks == 1000);
    CHECK(small.n_ops == 10'000);  // 10 cycles of 1000 allocations
    CHECK(small.allocate_ns > 0);
    CHECK(small.release_ns > 0);
    CHECK(small.churn_ns > 0);
    const AllocatorTiming big = timeAllocator(5000, 1000, 3);
    CHECK(big.n_ops == 5000);  // at least one whole cycle
}

TEST_CASE("paging bench tables and JSON carry every measurement", "[cli][bench][paging]") {
    PagingBench bench = timePagingSimulation(300, 1);
    REQUIRE(bench.sims.size() == 4);
    CHECK(bench.sims[0].policy == "contiguous-max");
    CHECK(bench.sims[3].policy == "paged-prefix");
    for (const SimTiming& t : bench.sims) {
        CHECK(t.seconds > 0);
        CHECK(t.steps > 0);
        CHECK(t.kv_utilization > 0.2);
    }
    CHECK(bench.sims[2].kv_utilization > bench.sims[0].kv_utilization);
    bench.allocator.push_back(timeAllocator(1024, 4096, 1));

    std::ostringstream table;
    writePagingTables(bench, table);
    CHECK(table.str().find("BlockAllocator") != std::string::npos);
    CHECK(table.str().find("paged-prefix") != std::string::npos);

    std::ostringstream text;
    {
        kvscope::JsonWriter json(text);
        json.beginObject();
        writePagingJson(json, bench);
        json.endObject();
    }
    const auto json = parseJson(text.str());
    REQUIRE(json["block_allocator"].size() == 1);
    CHECK(json["block_allocator"][0]["blocks"].number == 1024);
    CHECK(json["block_allocator"][0]["allocate_ns"].number > 0);
    CHECK(json["serving_simulation"]["requests"].number == 300);
    CHECK(json["serving_simulation"]["kv_slots"].number == 32768);
    REQUIRE(json["serving_simulation"]["policies"].size() == 4);
    CHECK(json["serving_simulation"]["policies"][2]["policy"].string == "paged");
    CHECK(json["serving_simulation"]["policies"][2]["seconds"].number ==
          Approx(bench.sims[2].seconds));
}

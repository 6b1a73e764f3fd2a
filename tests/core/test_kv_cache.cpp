#include <catch2/catch.hpp>
#include <numeric>

#include "core/cache/contiguous_kv_cache.h"
#include "core/util/error.h"

using namespace kvscope;

TEST_CASE("Contiguous cache stores real bytes and forgets on truncate", "[cache]") {
    ContiguousKvCache cache(2, 6, 10);      // 2 layers, kv_dim 6, 10 positions
    std::vector<float> k(3 * 6), v(3 * 6);  // [3][kv_dim]
    std::iota(k.begin(), k.end(), 0.0f);
    std::iota(v.begin(), v.end(), 100.0f);
    for (std::int64_t l = 0; l < 2; ++l)
        cache.append(l, 0, 3, k.data(), v.data());
    REQUIRE(cache.length() == 3);
    REQUIRE(cache.copyKeys(1)[2 * 6 + 5] == 17.0f);
    REQUIRE(cache.copyValues(0)[0] == 100.0f);
    REQUIRE(cache.kBytesUsed(0) == 3 * 6 * 4);
    REQUIRE(cache.vBytesUsed(1) == 3 * 6 * 4);
    REQUIRE(cache.bytesAllocated(0) == 2 * 10 * 6 * 4);

    cache.truncate(1);
    REQUIRE(cache.length() == 1);
    REQUIRE(cache.kBytesUsed(1) == 6 * 4);
    // The next append lands at position 1, over the forgotten row.
    std::vector<float> k2(6, -1.0f), v2(6, -2.0f);
    cache.append(0, 1, 1, k2.data(), v2.data());
    REQUIRE(cache.layerLength(0) == 2);
    REQUIRE(cache.layerLength(1) == 1);
    REQUIRE(cache.length() == 1);  // a layer that has not caught up bounds the length
    REQUIRE(cache.copyKeys(0)[6] == -1.0f);
    cache.clear();
    REQUIRE(cache.length() == 0);
    REQUIRE(cache.kBytesUsed(0) == 0);
}

TEST_CASE("Contiguous cache rejects sizes that are not positive or overflow", "[cache]") {
    REQUIRE_THROWS_AS(ContiguousKvCache(0, 6, 10), InputError);
    REQUIRE_THROWS_AS(ContiguousKvCache(2, -6, 10), InputError);
    REQUIRE_THROWS_WITH(ContiguousKvCache(1 << 20, 1 << 20, std::int64_t(1) << 30),
                        Catch::Contains("overflows 64 bits"));
}

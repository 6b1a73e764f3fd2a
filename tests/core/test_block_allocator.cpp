// BlockAllocator: reference counts, the LRU free queue (vLLM's order), statistics, O(1) at scale.
#include <catch2/catch.hpp>

#include "core/cache/block_allocator.h"
#include "core/util/error.h"

using namespace kvscope;

TEST_CASE("Allocator hands out blocks from the front and queues released ones at the back",
          "[paged]") {
    BlockAllocator pool(4);
    REQUIRE(pool.freeQueue() == std::vector<BlockId>{0, 1, 2, 3});
    REQUIRE(pool.allocate().block == 0);
    REQUIRE(pool.allocate().block == 1);
    REQUIRE(pool.allocate().block == 2);
    pool.release(1);  // least recently released is reused first
    pool.release(0);
    REQUIRE(pool.freeQueue() == std::vector<BlockId>{3, 1, 0});
    REQUIRE(pool.allocate().block == 3);
    REQUIRE(pool.allocate().block == 1);

    pool.retain(2);
    REQUIRE(pool.refCount(2) == 2);
    pool.release(2);
    REQUIRE(pool.refCount(2) == 1);
    REQUIRE_FALSE(pool.isFree(2));

    const BlockStats s = pool.stats();
    REQUIRE(s.n_total == 4);
    REQUIRE(s.n_free == 1);
    REQUIRE(s.n_in_use == 3);
    REQUIRE(s.n_allocations == 5);
    REQUIRE(s.n_evictions == 0);
}

TEST_CASE("A released cached block stays reusable until the front of the queue reaches it",
          "[paged]") {
    BlockAllocator pool(3);
    const BlockId a = pool.allocate().block;  // 0
    pool.setHash(a, 42);
    pool.release(a);
    REQUIRE(pool.isCached(a));
    REQUIRE(pool.stats().n_cached_free == 1);
    REQUIRE(pool.freeQueue() == std::vector<BlockId>{1, 2, 0});

    // A prefix hit revives it out of the middle of the queue.
    pool.retain(a);
    REQUIRE(pool.refCount(a) == 1);
    REQUIRE(pool.freeQueue() == std::vector<BlockId>{1, 2});
    REQUIRE(pool.stats().n_cached_free == 0);
    pool.release(a);

    // Taking it from the front evicts its hash.
    REQUIRE(pool.allocate().block == 1);
    REQUIRE(pool.allocate().block == 2);
    const Allocation third = pool.allocate();
    REQUIRE(third.block == a);
    REQUIRE(third.evicted == std::optional<BlockHash>(42));
    REQUIRE_FALSE(pool.isCached(a));
    REQUIRE(pool.stats().n_evictions == 1);
    REQUIRE(pool.stats().n_cached_free == 0);
}

TEST_CASE("reclaim takes a released block back out of the middle of the free queue", "[paged]") {
    BlockAllocator pool(4);
    const BlockId a = pool.allocate().block, b = pool.allocate().block;  // 0, 1
    CHECK(pool.handedOut(a) == 1);
    pool.release(a);                // queue: 2, 3, 0
    CHECK(pool.handedOut(a) == 1);  // nobody took it since: its bytes are the releaser's
    pool.reclaim(a);
    CHECK(pool.refCount(a) == 1);
    CHECK(pool.freeQueue() == std::vector<BlockId>{2, 3});
    pool.release(a);
    pool.release(b);  // queue: 2, 3, 0, 1
    pool.allocate();
    pool.allocate();
    CHECK(pool.allocate().block == a);  // handed out again: the count moves
    CHECK(pool.handedOut(a) == 2);
    CHECK(pool.nFree() == 1);
}

TEST_CASE("Allocating from an exhausted pool is an InputError naming the pool size", "[paged]") {
    BlockAllocator pool(2);
    pool.allocate();
    pool.allocate();
    REQUIRE_THROWS_AS(pool.allocate(), InputError);
    REQUIRE_THROWS_WITH(pool.allocate(), Catch::Contains("all 2 blocks"));
    REQUIRE(pool.stats().n_allocations == 2);  // a refused allocation changes nothing
    REQUIRE_THROWS_AS(BlockAllocator(0), InputError);
}

TEST_CASE("10^6 allocate/release pairs on a 10^6-block pool (every operation is O(1))", "[paged]") {
    // allocate() pops the queue's front, release() links at its back, retain() unlinks from the
    // middle: none walks the pool, so this runs in milliseconds (no clock is asserted).
    constexpr std::int64_t n = 1'000'000;
    BlockAllocator pool(n);
    std::int64_t checksum = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        const BlockId b = pool.allocate().block;
        checksum += b;
        pool.release(b);
    }
    REQUIRE(checksum == n * (n - 1) / 2);  // each allocation took the least recently freed
    REQUIRE(pool.stats().n_free == n);
    REQUIRE(pool.stats().n_allocations == n);
}

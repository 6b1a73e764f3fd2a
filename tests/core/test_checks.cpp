// KVSCOPE_EXPECTS preconditions are checked in the test build (Release included): breaking one
// throws ContractViolation naming the condition, instead of being compiled out as assert() was.
#include <catch2/catch.hpp>

#include "core/cache/block_allocator.h"
#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/util/check.h"

using namespace kvscope;

static_assert(KVSCOPE_CHECKS == 1, "the tests are built with KVSCOPE_CHECKS=1 (CMake option)");

TEST_CASE("a broken precondition throws ContractViolation naming it", "[checks]") {
    CHECK_THROWS_AS(contractViolated("x > 0", "file.cpp", 12), ContractViolation);
    CHECK_THROWS_WITH(contractViolated("x > 0", "file.cpp", 12),
                      "check failed: x > 0 (file.cpp:12)");
}

TEST_CASE("the library's own preconditions are checked in this build", "[checks]") {
    SECTION("Session::pendingToken before any step") {
        Session session(loadModel("builtin:demo"), SessionOptions{});
        CHECK_THROWS_WITH(session.pendingToken(),
                          Catch::Contains("check failed: !m_records.empty()"));
    }
    SECTION("BlockAllocator::release of a block released already") {
        BlockAllocator allocator(4);
        const BlockId block = allocator.allocate().block;
        allocator.release(block);
        CHECK_THROWS_AS(allocator.release(block), ContractViolation);
    }
}

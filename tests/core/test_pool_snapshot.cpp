// ServingSimulation, one step at a time: the pool snapshot against hand-worked tiny cases (shared
// prefix blocks and their reference counts, cached-free blocks revived, contiguous regions), its
// invariants on a real workload, and stepping equals simulateServing.
#include <catch2/catch.hpp>

#include <set>

#include "core/cache/prefix_index.h"
#include "core/sim/serving_simulation.h"
#include "core/sim/serving_simulator.h"
#include "core/util/error.h"

using namespace kvscope;
using namespace kvscope::sim;

namespace {

Request request(std::int64_t id, std::int64_t arrival, std::int64_t prompt, std::int64_t output,
                std::int64_t shared = 0) {
    return Request{.id = id,
                   .arrival = arrival,
                   .prompt_len = prompt,
                   .output_len = output,
                   .shared_prefix = shared,
                   .samples = 1};
}

SimConfig tiny(PolicyKind policy, std::int64_t kv_slots, std::int64_t block_size,
               std::int64_t max_seq = 2048) {
    SimConfig c;
    c.policy = policy;
    c.kv_slots = kv_slots;
    c.block_size = block_size;
    c.max_seq = max_seq;
    return c;
}

/// The hash of full block k of the shared system prompt (its tokens are 1000 + position).
BlockHash systemBlockHash(int k) {
    BlockHash parent = PrefixIndex::kRootHash;
    for (int b = 0; b <= k; ++b) {
        const std::vector<TokenId> tokens = {1000 + 4 * b, 1001 + 4 * b, 1002 + 4 * b,
                                             1003 + 4 * b};
        parent = PrefixIndex::hashBlock(parent, tokens);
    }
    return parent;
}

const SimSeq kSeq0{0, 0}, kSeq1{1, 0}, kSeq2{2, 0};

}  // namespace

TEST_CASE("snapshot: two sequences with a shared 8-token prefix hold 2 blocks of refcount 2",
          "[sim][snapshot]") {
    // Block size 4, 16 blocks. Requests 0 and 1: 11-token prompts whose first 8 tokens are the
    // system prompt, 2 output tokens; request 2 (arrives at step 10): 8 shared + 1 own token.
    ServingSimulation sim(
        {request(0, 0, 11, 2, 8), request(1, 0, 11, 2, 8), request(2, 10, 9, 1, 8)},
        tiny(PolicyKind::PagedPrefix, 64, 4));
    const PoolSnapshot before = sim.snapshot();
    CHECK(before.step == -1);
    REQUIRE(before.cells.size() == 16);
    CHECK(before.cells[0].state == CellState::Free);

    // Step 0: request 0 prefills 11 tokens into blocks 0, 1 (full, registered) and 2 (3 tokens);
    // request 1 reuses blocks 0 and 1 and writes its last 3 prompt tokens into block 3.
    sim.advance();
    PoolSnapshot s = sim.snapshot();
    CHECK(s.step == 0);
    CHECK(s.block_size == 4);
    for (int b : {0, 1}) {
        INFO("block " << b);
        const PoolCell& c = s.cells[std::size_t(b)];
        CHECK(c.state == CellState::InUse);
        CHECK(c.ref_count == 2);
        CHECK(c.owners == std::vector<SimSeq>{kSeq0, kSeq1});
        CHECK(c.fill == 4);
        REQUIRE(c.hash.has_value());
        CHECK(*c.hash == systemBlockHash(b));
    }
    CHECK(s.cells[2].owners == std::vector<SimSeq>{kSeq0});
    CHECK(s.cells[2].ref_count == 1);
    CHECK(s.cells[2].fill == 3);
    CHECK_FALSE(s.cells[2].hash.has_value());
    CHECK(s.cells[3].owners == std::vector<SimSeq>{kSeq1});
    CHECK(s.cells[3].fill == 3);
    for (std::size_t b = 4; b < 16; ++b) {
        CHECK(s.cells[b].state == CellState::Free);
        CHECK(s.cells[b].owners.empty());
        CHECK(s.cells[b].fill == 0);
        CHECK(s.cells[b].capacity == 4);
    }
    REQUIRE(s.seqs.size() == 2);
    CHECK(s.seqs[0].seq == kSeq0);
    CHECK(s.seqs[0].length == 11);
    CHECK(s.seqs[0].reserved == 12);
    CHECK(s.seqs[0].blocks == std::vector<BlockId>{0, 1, 2});
    CHECK(s.seqs[1].blocks == std::vector<BlockId>{0, 1, 3});
    CHECK(s.table(kSeq1) == &s.seqs[1]);
    CHECK(s.table(kSeq2) == nullptr);
    CHECK(s.held == 8 + 3 + 3);  // the shared 8 slots count once
    CHECK(s.reserved == 4 * 4);  // 4 blocks in use
    CHECK(s.waiting == 0);       // request 2 has not arrived
    CHECK(sim.timeline().back().held == s.held);
    CHECK(sim.timeline().back().reserved == s.reserved);

    // Step 1: one decoded token each fills blocks 2 and 3 (decoded tokens are not registered).
    sim.advance();
    s = sim.snapshot();
    CHECK(s.cells[2].fill == 4);
    CHECK(s.cells[3].fill == 4);
    CHECK_FALSE(s.cells[2].hash.has_value());
    CHECK(s.held == 16);

    // Step 2: each writes a 13th token into a new block (4, then 5) and finishes. Blocks 0 and 1
    // are free but keep their cached prefix; the rest are plain free.
    sim.advance();
    s = sim.snapshot();
    CHECK(s.completed == 2);
    CHECK(s.seqs.empty());
    CHECK(s.held == 0);
    CHECK(s.reserved == 0);
    for (int b : {0, 1}) {
        const PoolCell& c = s.cells[std::size_t(b)];
        CHECK(c.state == CellState::CachedFree);
        CHECK(c.ref_count == 0);
        CHECK(c.owners.empty());
        CHECK(c.fill == 4);
        CHECK(c.hash == systemBlockHash(b));
    }
    for (std::size_t b = 2; b < 16; ++b)
        CHECK(s.cells[b].state == CellState::Free);

    // Step 10 (the clock jumps to the arrival): request 2 revives blocks 0 and 1 from the cache
    // and writes its 9th token into the front of the free queue: 6 (2..5 were freed after 6..15).
    sim.advance();
    s = sim.snapshot();
    CHECK(s.step == 10);
    CHECK(s.cells[0].state == CellState::InUse);
    CHECK(s.cells[0].ref_count == 1);
    CHECK(s.cells[0].owners == std::vector<SimSeq>{kSeq2});
    CHECK(s.cells[1].owners == std::vector<SimSeq>{kSeq2});
    CHECK(s.cells[6].owners == std::vector<SimSeq>{kSeq2});
    CHECK(s.cells[6].fill == 1);
    REQUIRE(s.seqs.size() == 1);
    CHECK(s.seqs[0].blocks == std::vector<BlockId>{0, 1, 6});
    CHECK(s.held == 9);
    CHECK(sim.result().prefix_hit_tokens == 8 + 8);
}

TEST_CASE("snapshot: contiguous regions are packed cell by cell in running order",
          "[sim][snapshot]") {
    // max_seq 16, block size 4, 48 slots = 12 cells; two requests of 3 prompt + 2 output tokens.
    const std::vector<Request> requests = {request(0, 0, 3, 2), request(1, 0, 3, 2)};
    ServingSimulation max(requests, tiny(PolicyKind::ContiguousMax, 48, 4, 16));
    max.advance();  // both admitted (16 slots each) and prefilled
    max.advance();  // one decoded token each: 4 tokens
    PoolSnapshot s = max.snapshot();
    REQUIRE(s.cells.size() == 12);
    const std::int64_t fills[] = {4, 0, 0, 0, 4, 0, 0, 0};
    for (std::size_t c = 0; c < 8; ++c) {
        INFO("cell " << c);
        CHECK(s.cells[c].state == CellState::InUse);
        CHECK(s.cells[c].owners == std::vector<SimSeq>{c < 4 ? kSeq0 : kSeq1});
        CHECK(s.cells[c].ref_count == 1);
        CHECK(s.cells[c].capacity == 4);
        CHECK(s.cells[c].fill == fills[c]);
    }
    for (std::size_t c = 8; c < 12; ++c)
        CHECK(s.cells[c].state == CellState::Free);
    REQUIRE(s.seqs.size() == 2);
    CHECK(s.seqs[1].blocks == std::vector<BlockId>{4, 5, 6, 7});
    CHECK(s.seqs[1].reserved == 16);
    CHECK(s.held == 8);
    CHECK(s.reserved == 32);

    // Exact: a 5-slot region is one cell of 4 slots and one of 1.
    ServingSimulation exact(requests, tiny(PolicyKind::ContiguousExact, 48, 4, 16));
    exact.advance();
    s = exact.snapshot();
    REQUIRE(s.cells.size() == 12);
    CHECK(s.cells[0].capacity == 4);
    CHECK(s.cells[0].fill == 3);
    CHECK(s.cells[1].capacity == 1);
    CHECK(s.cells[1].fill == 0);
    CHECK(s.cells[2].owners == std::vector<SimSeq>{kSeq1});
    CHECK(s.seqs[1].blocks == std::vector<BlockId>{2, 3});
    CHECK(s.cells[4].state == CellState::Free);
    CHECK(s.reserved == 10);
}

TEST_CASE("snapshot invariants hold at every step of a real workload", "[sim][snapshot]") {
    WorkloadSpec spec = shareGptLikeSpec();
    spec.n_requests = 60;
    spec.system_prompt = 40;
    spec.shared_fraction = 0.6;
    spec.samples = 2;
    spec.seed = 5;
    const std::vector<Request> requests = generateWorkload(spec);
    for (PolicyKind policy : {PolicyKind::Paged, PolicyKind::PagedPrefix}) {
        INFO(policyName(policy));
        const SimConfig config = tiny(policy, 4096, 16);
        ServingSimulation sim(requests, config);
        std::int64_t shared_seen = 0, cached_free_seen = 0;
        while (!sim.done()) {
            sim.advance();
            const PoolSnapshot s = sim.snapshot();
            std::int64_t fill = 0, in_use = 0;
            bool ok = true;
            for (const PoolCell& c : s.cells) {
                ok = ok && c.ref_count == std::int64_t(c.owners.size());
                ok = ok && (c.state == CellState::InUse) == (c.ref_count > 0);
                ok = ok && (c.state != CellState::CachedFree || (c.hash && c.fill == 16));
                ok = ok && c.fill <= c.capacity;
                if (c.state == CellState::InUse) {
                    fill += c.fill;
                    ++in_use;
                }
                shared_seen += c.ref_count > 1;
                cached_free_seen += c.state == CellState::CachedFree;
            }
            for (const SeqTable& t : s.seqs)
                ok = ok && std::int64_t(t.blocks.size()) == (t.length + 15) / 16;
            ok = ok && fill == s.held && in_use * 16 == s.reserved;
            ok = ok && s.held == sim.timeline().back().held;
            if (!ok) {
                INFO("step " << s.step);
                REQUIRE(ok);
            }
        }
        CHECK(shared_seen > 0);  // forks share the prompt blocks
        if (policy == PolicyKind::PagedPrefix) CHECK(cached_free_seen > 0);
    }
}

TEST_CASE("stepping a ServingSimulation gives simulateServing's result", "[sim][snapshot]") {
    WorkloadSpec spec = shareGptLikeSpec();
    spec.n_requests = 150;
    spec.arrivals = ArrivalKind::Poisson;
    spec.rate = 0.05;  // idle gaps: the clock jumps
    const std::vector<Request> requests = generateWorkload(spec);
    for (PolicyKind policy : {PolicyKind::ContiguousMax, PolicyKind::PagedPrefix}) {
        INFO(policyName(policy));
        const SimConfig config = tiny(policy, 8192, 16);
        const SimResult whole = simulateServing(requests, config);
        ServingSimulation sim(requests, config);
        while (!sim.done())
            sim.advance();
        const SimResult stepped = sim.result();
        CHECK(stepped.steps == whole.steps);
        CHECK(stepped.steps > std::int64_t(stepped.timeline.size()));  // jumps are counted
        CHECK(stepped.kv_utilization == whole.kv_utilization);
        CHECK(stepped.completion.p90 == whole.completion.p90);
        REQUIRE(stepped.timeline.size() == whole.timeline.size());
        bool same = true;
        for (std::size_t i = 0; i < whole.timeline.size(); ++i)
            same = same && stepped.timeline[i].step == whole.timeline[i].step &&
                   stepped.timeline[i].held == whole.timeline[i].held &&
                   stepped.timeline[i].reserved == whole.timeline[i].reserved;
        CHECK(same);
    }
    CHECK_THROWS_AS(ServingSimulation({}, tiny(PolicyKind::Paged, 64, 4)), InputError);
    CHECK_THROWS_WITH(ServingSimulation(requests, tiny(PolicyKind::Paged, 64, 0)),
                      Catch::Contains("block size"));
}

// PagedKvCache: bit-identical logits to the contiguous layout under the real engine, vLLM's
// prefix-caching walk-through, copy-on-write, out-of-memory, and a 10^5-operation property test.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <sstream>

#include "core/cache/paged_kv_cache.h"
#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/util/error.h"
#include "tests/core/test_util.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;

namespace {

bool sameLogits(const Session& a, const Session& b) {
    return a.lastLogits().size() > 0 && a.lastLogits().size() == b.lastLogits().size() &&
           (a.lastLogits().array() == b.lastLogits().array()).all();
}

/// Appends `tokens` to `seq` with one-value rows (kv_dim 1, any layers) equal to the token id,
/// so a block's bytes say which tokens it holds.
void appendTokenRows(PagedKvCache& cache, SeqId seq, const std::vector<TokenId>& tokens) {
    std::vector<float> rows;  // [n_layers][n][1]
    for (std::int64_t l = 0; l < cache.nLayers(); ++l)
        for (TokenId t : tokens)
            rows.push_back(float(t));
    cache.append(seq, tokens, rows.data(), rows.data());
}

std::vector<TokenId> iota(TokenId first, std::int64_t n) {
    std::vector<TokenId> out;
    for (std::int64_t i = 0; i < n; ++i)
        out.push_back(first + TokenId(i));
    return out;
}

}  // namespace

TEST_CASE("Paged and contiguous layouts give bit-identical logits and tokens", "[paged]") {
    const std::vector<std::shared_ptr<const Model>> models = {
        loadModel("builtin:demo"), loadModel("builtin:demo-mqa"), test::tinyModel(4, 2)};
    for (const auto& model : models) {
        for (const CacheMode mode : {CacheMode::Cached, CacheMode::Recompute}) {
            for (const std::int64_t block_size : {1, 3, 16}) {
                INFO(model->config.name << " block " << block_size << " recompute "
                                        << (mode == CacheMode::Recompute));
                SessionOptions options;
                options.mode = mode;
                options.max_context = 60;
                options.sampling.temperature = 0.9f;  // sampled, so the tokens wander
                options.sampling.seed = 11;
                Session contiguous(model, options);
                options.cache_layout = CacheLayout::Paged;
                options.block_size = block_size;
                Session paged(model, options);

                const auto ids = promptTokens(*model, "KVScope pages");
                contiguous.prefill(ids);
                paged.prefill(ids);
                REQUIRE(sameLogits(contiguous, paged));
                for (int step = 0; step < 42; ++step) {
                    contiguous.step();
                    paged.step();
                    REQUIRE(sameLogits(contiguous, paged));
                    REQUIRE(paged.tokens() == contiguous.tokens());
                }
                REQUIRE(paged.pendingToken() == contiguous.pendingToken());
                if (mode == CacheMode::Cached) {
                    const std::int64_t n = paged.position();
                    const std::int64_t kv = model->config.kvDim();
                    REQUIRE(paged.cache().length() == n);
                    REQUIRE(paged.cache().kBytesUsed(0) == n * kv * 4);
                    REQUIRE(paged.cache().bytesAllocated(0) ==
                            (n + block_size - 1) / block_size * block_size * kv * 4 * 2);
                    REQUIRE(paged.cache().copyKeys(1) == contiguous.cache().copyKeys(1));
                }

                // Undo across a block boundary (7 steps > any block but 16, which the
                // truncation also crosses from 56 down to 49), then the same steps again.
                for (int i = 0; i < 7; ++i) {
                    contiguous.undo();
                    paged.undo();
                }
                REQUIRE(paged.position() == contiguous.position());
                if (mode == CacheMode::Cached) REQUIRE(paged.cache().length() == paged.position());
                for (int i = 0; i < 3; ++i) {
                    contiguous.step();
                    paged.step();
                    REQUIRE(sameLogits(contiguous, paged));
                    REQUIRE(paged.tokens() == contiguous.tokens());
                }
            }
        }
    }
}

TEST_CASE("Session rejects a paged layout with a block size that is not positive", "[paged]") {
    SessionOptions options;
    options.cache_layout = CacheLayout::Paged;
    options.block_size = 0;
    REQUIRE_THROWS_WITH(Session(loadModel("builtin:demo"), options), Catch::Contains("block_size"));
}

TEST_CASE("vLLM's automatic prefix caching walk-through (block size 4, 10 blocks)", "[paged]") {
    // The example of vLLM's "Automatic Prefix Caching" design page, replayed on the real cache.
    // Rows are the token ids (kv_dim 1), so the bytes say what each block holds.
    PagedKvCache cache(1, 1, 4, 10);
    const BlockAllocator& pool = cache.allocator();

    // Time 1: the cache is empty; request 0 brings a prompt of 15 tokens: 4 blocks from the
    // front of the queue, 0 1 2 3; blocks 0..2 are full and cached, block 3 holds 3 tokens.
    const std::vector<TokenId> prompt0 = iota(100, 15);
    const SeqId r0 = cache.addSequence();
    REQUIRE(cache.attachPrefix(r0, prompt0) == 0);
    appendTokenRows(cache, r0, prompt0);
    REQUIRE(cache.blockTable(r0).blocks() == std::vector<BlockId>{0, 1, 2, 3});
    REQUIRE(cache.prefixIndex().size() == 3);

    // Time 2: one decoded token makes block 3 full (it is cached); the next asks for a new
    // block: 4.
    appendTokenRows(cache, r0, {900});
    REQUIRE(pool.isCached(3));
    appendTokenRows(cache, r0, {901});
    REQUIRE(cache.blockTable(r0).blocks() == std::vector<BlockId>{0, 1, 2, 3, 4});
    REQUIRE(cache.prefixIndex().size() == 4);

    // Time 3: request 1 brings 14 tokens whose first 10 equal request 0's. Only the first 2
    // blocks (8 tokens) hit: the 3rd block matches 2 of its 4 tokens. Its other 6 tokens take
    // blocks 5 (full, so cached) and 6 (2 tokens).
    std::vector<TokenId> prompt1(prompt0.begin(), prompt0.begin() + 10);
    for (TokenId t : {500, 501, 502, 503})
        prompt1.push_back(t);
    const SeqId r1 = cache.addSequence();
    REQUIRE(cache.attachPrefix(r1, prompt1) == 8);
    REQUIRE(pool.refCount(0) == 2);
    REQUIRE(pool.refCount(1) == 2);
    appendTokenRows(cache, r1, std::vector<TokenId>(prompt1.begin() + 8, prompt1.end()));
    REQUIRE(cache.blockTable(r1).blocks() == std::vector<BlockId>{0, 1, 5, 6});
    std::vector<KvRun> runs;
    cache.collectRuns(r1, 0, runs);
    REQUIRE(runs.size() == 4);
    REQUIRE(runs[1].k[3] == 107.0f);  // shared block 1 holds request 0's tokens 4..7
    REQUIRE(runs[2].k[2] == 500.0f);  // block 5: tokens 8..11 of request 1

    // Time 4: request 0 finishes. Its blocks are released last first: 4, 3, 2 join the back of
    // the free queue (2 and 3 still cached); 0 and 1 stay with request 1.
    cache.freeSequence(r0);
    REQUIRE(pool.freeQueue() == std::vector<BlockId>{7, 8, 9, 4, 3, 2});
    // Time 5: request 1 finishes: 6, 5, 1, 0 follow.
    cache.freeSequence(r1);
    REQUIRE(pool.freeQueue() == std::vector<BlockId>{7, 8, 9, 4, 3, 2, 6, 5, 1, 0});
    // Cached and free: 0 1 2 3 (request 0's full blocks) and 5 (request 1's); 4 and 6 were
    // partial, 7 8 9 never used.
    REQUIRE(pool.stats().n_cached_free == 5);

    // Time 6: request 2 brings 29 tokens whose first 12 equal request 0's. The hits 0, 1, 2 are
    // touched out of the queue, leaving 7 8 9 4 3 6 5; its other 17 tokens take 5 blocks from the
    // front: 7, 8, 9, 4 and 3, whose cached prefix is evicted.
    std::vector<TokenId> prompt2(prompt0.begin(), prompt0.begin() + 12);
    for (TokenId t : iota(700, 17))
        prompt2.push_back(t);
    const SeqId r2 = cache.addSequence();
    REQUIRE(cache.attachPrefix(r2, prompt2) == 12);
    REQUIRE(pool.freeQueue() == std::vector<BlockId>{7, 8, 9, 4, 3, 6, 5});
    const std::int64_t evictions_before = pool.stats().n_evictions;
    appendTokenRows(cache, r2, std::vector<TokenId>(prompt2.begin() + 12, prompt2.end()));
    REQUIRE(cache.blockTable(r2).blocks() == std::vector<BlockId>{0, 1, 2, 7, 8, 9, 4, 3});
    REQUIRE(pool.stats().n_evictions == evictions_before + 1);  // block 3's old prefix
    REQUIRE(pool.freeQueue() == std::vector<BlockId>{6, 5});
}

TEST_CASE("fork shares blocks; the first write into a shared block copies it", "[paged]") {
    PagedKvCache cache(2, 1, 4, 8);
    const SeqId a = cache.addSequence();
    appendTokenRows(cache, a, iota(1, 6));  // blocks 0 (full) and 1 (2 of 4)
    const SeqId b = cache.fork(a);
    REQUIRE(cache.blockTable(b).blocks() == cache.blockTable(a).blocks());
    REQUIRE(cache.allocator().refCount(1) == 2);
    REQUIRE(cache.blocksNeeded(b, 1) == 1);  // the copy

    appendTokenRows(cache, b, {50});
    REQUIRE(cache.blockTable(b).blocks() == std::vector<BlockId>{0, 2});  // block 1 copied to 2
    REQUIRE(cache.allocator().refCount(1) == 1);
    REQUIRE(cache.allocator().refCount(0) == 2);  // the full block stays shared
    appendTokenRows(cache, a, {60});              // a owns block 1 alone now: no copy
    REQUIRE(cache.blockTable(a).blocks() == std::vector<BlockId>{0, 1});
    cache.setCurrent(a);
    REQUIRE(cache.copyKeys(1) == std::vector<float>{1, 2, 3, 4, 5, 6, 60});
    cache.setCurrent(b);
    REQUIRE(cache.copyKeys(1) == std::vector<float>{1, 2, 3, 4, 5, 6, 50});

    // Truncating into the cached full block 0 and writing copies it: the cache keeps its bytes.
    cache.truncate(b, 2);
    REQUIRE(cache.blockTable(b).blocks() == std::vector<BlockId>{0});
    appendTokenRows(cache, b, {70});
    REQUIRE(cache.blockTable(b)[0] != 0);
    REQUIRE(cache.copyKeys(0) == std::vector<float>{1, 2, 70});
    cache.setCurrent(a);
    REQUIRE(cache.copyKeys(0) == std::vector<float>{1, 2, 3, 4, 5, 6, 60});
}

TEST_CASE("Running out of blocks is an InputError that leaves the cache unchanged", "[paged]") {
    PagedKvCache cache(1, 1, 4, 2);
    const SeqId a = cache.addSequence();
    appendTokenRows(cache, a, iota(1, 7));
    REQUIRE_THROWS_WITH(appendTokenRows(cache, a, iota(8, 2)),
                        Catch::Contains("needs 1 free blocks, 0 of 2 are free"));
    REQUIRE(cache.length(a) == 7);
    REQUIRE(cache.tokens(a).size() == 7);
    REQUIRE(cache.allocator().stats().n_allocations == 2);
    appendTokenRows(cache, a, {8});  // the last free row still fits
    REQUIRE(cache.length(a) == 8);
    REQUIRE_THROWS_AS(PagedKvCache(1, 1, 0, 2), InputError);
    REQUIRE_THROWS_AS(PagedKvCache(1, 1, 4, 0), InputError);
}

namespace {

/// The property test's reference: what each sequence should hold, as plain token lists. The K/V
/// rows of a position are a pure function of the tokens up to it (as in a real model), so shared
/// prefixes share rows and any write leaking into another sequence's block shows up.
struct ReferenceModel {
    static constexpr std::int64_t kLayers = 2, kDim = 3;

    static std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
        x += 0x9e3779b97f4a7c15ull;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        return x ^ (x >> 31);
    }
    /// Rows of positions [from, tokens.size()): [kLayers][n][kDim] for K (salt 0) or V (salt 1).
    static std::vector<float> rows(const std::vector<TokenId>& tokens, std::size_t from, int salt) {
        std::vector<std::uint64_t> prefix;  // [n] hash of tokens[0..p]
        std::uint64_t h = 1;
        for (std::size_t p = 0; p < tokens.size(); ++p) {
            h = mix(h ^ std::uint64_t(std::uint32_t(tokens[p])));
            if (p >= from) prefix.push_back(h);
        }
        std::vector<float> out;
        for (std::int64_t l = 0; l < kLayers; ++l)
            for (std::uint64_t ph : prefix)
                for (std::int64_t d = 0; d < kDim; ++d)
                    out.push_back(
                        float(mix(ph + std::uint64_t(salt * 1000 + l * kDim + d)) & 0xffffff));
        return out;
    }

    std::map<SeqId, std::vector<TokenId>> seqs;
};

/// Every invariant between the cache's metadata, its bytes and the reference; "" when all hold.
std::string violations(const PagedKvCache& cache, const ReferenceModel& ref) {
    std::ostringstream err;
    const BlockAllocator& pool = cache.allocator();
    const std::int64_t n_blocks = pool.nBlocks(), bs = cache.blockSize();
    if (cache.sequences().size() != ref.seqs.size()) err << "sequence count; ";
    std::vector<std::int64_t> holders(std::size_t(n_blocks), 0);
    std::vector<KvRun> runs;
    for (const auto& [seq, tokens] : ref.seqs) {
        const std::int64_t n = std::int64_t(tokens.size());
        if (!cache.hasSequence(seq) || cache.length(seq) != n || cache.tokens(seq) != tokens) {
            err << "seq " << seq << " length/tokens; ";
            continue;
        }
        const BlockTable& table = cache.blockTable(seq);
        if (table.size() != (n + bs - 1) / bs) err << "seq " << seq << " table size; ";
        for (BlockId b : table.blocks())
            ++holders[std::size_t(b)];
        // The bytes it reads, layer by layer, equal the reference's rows.
        const std::vector<float> k = ReferenceModel::rows(tokens, 0, 0);
        const std::vector<float> v = ReferenceModel::rows(tokens, 0, 1);
        for (std::int64_t l = 0; l < ReferenceModel::kLayers; ++l) {
            cache.collectRuns(seq, l, runs);
            std::int64_t pos = 0;
            for (const KvRun& run : runs) {
                if (run.first_pos != pos) err << "seq " << seq << " run order; ";
                for (std::int64_t i = 0; i < run.n_pos * ReferenceModel::kDim; ++i) {
                    const std::size_t at = std::size_t((l * n + pos) * ReferenceModel::kDim + i);
                    if (run.k[i] != k[at] || run.v[i] != v[at]) {
                        err << "seq " << seq << " layer " << l << " data at pos "
                            << pos + i / ReferenceModel::kDim << "; ";
                        break;
                    }
                }
                pos += run.n_pos;
            }
            if (pos != n) err << "seq " << seq << " runs cover " << pos << "; ";
        }
    }
    // Reference counts match the tables; the free queue holds exactly the unheld blocks, once.
    std::int64_t n_free = 0, n_cached = 0, n_cached_free = 0;
    for (BlockId b = 0; b < n_blocks; ++b) {
        if (pool.refCount(b) != holders[std::size_t(b)]) err << "refcount of block " << b << "; ";
        n_free += holders[std::size_t(b)] == 0;
        if (pool.isCached(b)) {
            ++n_cached;
            n_cached_free += holders[std::size_t(b)] == 0;
            if (cache.prefixIndex().blockOf(pool.hashOf(b)) != b) err << "index of " << b << "; ";
        }
    }
    std::vector<BlockId> queue = pool.freeQueue();
    std::sort(queue.begin(), queue.end());
    if (std::adjacent_find(queue.begin(), queue.end()) != queue.end()) err << "freed twice; ";
    for (BlockId b : queue)
        if (holders[std::size_t(b)] != 0) err << "held block " << b << " in the free queue; ";
    const BlockStats st = pool.stats();
    if (std::int64_t(queue.size()) != n_free || st.n_free != n_free) err << "leak: free count; ";
    if (st.n_in_use + st.n_free != n_blocks) err << "in use + free; ";
    if (st.n_cached_free != n_cached_free) err << "cached-free count; ";
    if (cache.prefixIndex().size() != n_cached) err << "index size; ";
    return err.str();
}

}  // namespace

TEST_CASE("Property: 10^5 random operations keep refcounts, free queue and data consistent",
          "[paged]") {
    constexpr std::int64_t kBlockSize = 4, kBlocks = 24, kOps = 100'000;
    PagedKvCache cache(ReferenceModel::kLayers, ReferenceModel::kDim, kBlockSize, kBlocks);
    ReferenceModel ref;
    std::mt19937_64 rng(2024);
    auto below = [&](std::int64_t n) { return std::int64_t(rng() % std::uint64_t(n)); };
    // Three base prompts over a small alphabet: new sequences share prefixes of them.
    std::vector<std::vector<TokenId>> bases(3);
    for (auto& base : bases)
        for (int i = 0; i < 20; ++i)
            base.push_back(TokenId(below(4)));
    auto randomSeq = [&] {
        auto it = ref.seqs.begin();
        std::advance(it, below(std::int64_t(ref.seqs.size())));
        return it->first;
    };
    struct Counts {
        std::int64_t appends = 0, forks = 0, cow = 0, frees = 0, truncates = 0, prefix_hits = 0,
                     refused = 0;
    } count;

    // Appends `tokens` to seq, or checks that a refusal changed nothing.
    auto tryAppend = [&](SeqId seq, const std::vector<TokenId>& tokens) {
        std::vector<TokenId>& mine = ref.seqs[seq];
        const std::int64_t len = std::int64_t(mine.size());
        const BlockTable& table = cache.blockTable(seq);
        const std::int64_t logical = len / kBlockSize;
        const bool shared =
            logical < table.size() && (cache.allocator().refCount(table[logical]) > 1 ||
                                       cache.allocator().isCached(table[logical]));
        const BlockId before = shared ? table[logical] : -1;
        const bool fits =
            cache.blocksNeeded(seq, std::int64_t(tokens.size())) <= cache.allocator().nFree();
        std::vector<TokenId> all = mine;
        all.insert(all.end(), tokens.begin(), tokens.end());
        const auto k = ReferenceModel::rows(all, mine.size(), 0);
        const auto v = ReferenceModel::rows(all, mine.size(), 1);
        try {
            cache.append(seq, tokens, k.data(), v.data());
        } catch (const InputError&) {
            REQUIRE_FALSE(fits);
            ++count.refused;
            return;
        }
        REQUIRE(fits);
        mine = std::move(all);
        ++count.appends;
        if (shared) {
            REQUIRE(cache.blockTable(seq)[logical] != before);  // copied, not written in place
            ++count.cow;
        }
    };

    for (std::int64_t op = 0; op < kOps; ++op) {
        const std::int64_t kind = ref.seqs.empty() ? 0 : below(100);
        if (kind < 15 && ref.seqs.size() < 10) {  // a new sequence, maybe reusing a prefix
            std::vector<TokenId> prompt;
            const auto& base = bases[std::size_t(below(3))];
            prompt.assign(base.begin(), base.begin() + below(21));
            for (std::int64_t i = below(6); i > 0; --i)
                prompt.push_back(TokenId(below(1000)));
            if (prompt.empty()) prompt.push_back(1);
            const SeqId seq = cache.addSequence();
            const std::int64_t hit = cache.attachPrefix(seq, prompt);
            REQUIRE(hit % kBlockSize == 0);
            REQUIRE(hit < std::int64_t(prompt.size()));
            ref.seqs[seq].assign(prompt.begin(), prompt.begin() + hit);
            count.prefix_hits += hit > 0;
            tryAppend(seq, std::vector<TokenId>(prompt.begin() + hit, prompt.end()));
        } else if (kind < 50) {  // decode a few tokens (a write into a shared block after fork)
            std::vector<TokenId> tokens;
            for (std::int64_t i = 1 + below(4); i > 0; --i)
                tokens.push_back(TokenId(below(1000)));
            tryAppend(randomSeq(), tokens);
        } else if (kind < 65 && ref.seqs.size() < 10) {  // fork
            const SeqId parent = randomSeq();
            const SeqId child = cache.fork(parent);
            ref.seqs[child] = ref.seqs[parent];
            ++count.forks;
        } else if (kind < 80) {  // truncate (undo)
            const SeqId seq = randomSeq();
            const std::int64_t n = below(std::int64_t(ref.seqs[seq].size()) + 1);
            cache.truncate(seq, n);
            ref.seqs[seq].resize(std::size_t(n));
            ++count.truncates;
        } else {  // free
            const SeqId seq = randomSeq();
            cache.freeSequence(seq);
            ref.seqs.erase(seq);
            ++count.frees;
        }
        const std::string bad = violations(cache, ref);
        if (!bad.empty()) {
            INFO("after operation " << op << ": " << bad);
            REQUIRE(bad.empty());
        }
    }
    // Every kind of event really happened, many times.
    const BlockStats st = cache.allocator().stats();
    INFO("appends " << count.appends << " forks " << count.forks << " cow " << count.cow
                    << " truncates " << count.truncates << " frees " << count.frees << " hits "
                    << count.prefix_hits << " refused " << count.refused << " evictions "
                    << st.n_evictions);
    REQUIRE(count.appends > 10'000);
    REQUIRE(count.forks > 1'000);
    REQUIRE(count.cow > 1'000);
    REQUIRE(count.prefix_hits > 1'000);
    REQUIRE(count.refused > 100);
    REQUIRE(st.n_evictions > 1'000);
}

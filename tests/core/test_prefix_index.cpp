// PrefixIndex: chained block hashes, longest cached prefix over full blocks only.
#include <catch2/catch.hpp>

#include "core/cache/prefix_index.h"

using namespace kvscope;

namespace {

void insertChain(PrefixIndex& index, const std::vector<TokenId>& tokens, std::int64_t block_size,
                 BlockId first_block) {
    BlockHash parent = PrefixIndex::kRootHash;
    for (std::int64_t b = 0; (b + 1) * block_size <= std::int64_t(tokens.size()); ++b) {
        const std::span<const TokenId> block(tokens.data() + b * block_size,
                                             std::size_t(block_size));
        const BlockHash hash = PrefixIndex::hashBlock(parent, block);
        REQUIRE(index.insert(hash, parent, block, first_block + b));
        parent = hash;
    }
}

}  // namespace

TEST_CASE("A block's hash depends on its tokens and on every block before it", "[paged]") {
    const std::vector<TokenId> a{1, 2, 3, 4}, b{1, 2, 3, 5};
    const BlockHash ha = PrefixIndex::hashBlock(PrefixIndex::kRootHash, a);
    REQUIRE(ha == PrefixIndex::hashBlock(PrefixIndex::kRootHash, a));
    REQUIRE(ha != PrefixIndex::hashBlock(PrefixIndex::kRootHash, b));
    // The same tokens after a different prefix are a different block.
    REQUIRE(PrefixIndex::hashBlock(ha, a) != PrefixIndex::hashBlock(PrefixIndex::kRootHash, a));
}

TEST_CASE("The longest cached prefix stops at the first missing or partial block", "[paged]") {
    PrefixIndex index;
    const std::vector<TokenId> cached{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22};
    insertChain(index, cached, 4, 100);  // 3 full blocks -> 100, 101, 102; token 22 not cached
    REQUIRE(index.size() == 3);

    const std::vector<TokenId> same_10{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0, 0, 0, 0};
    const PrefixMatch m = index.longestPrefix(same_10, 4);
    REQUIRE(m.blocks == std::vector<BlockId>{100, 101});  // block 3 matches 2 of 4 tokens
    REQUIRE(m.hashes.size() == 2);
    REQUIRE(index.blockOf(m.hashes[1]) == 101);

    REQUIRE(index.longestPrefix(cached, 4).blocks.size() == 3);
    REQUIRE(index.longestPrefix(std::vector<TokenId>{10, 11, 12}, 4).blocks.empty());
    REQUIRE(index.longestPrefix(std::vector<TokenId>{9, 11, 12, 13}, 4).blocks.empty());

    // An equal block registered twice keeps the first; erase forgets it.
    const BlockHash h0 = m.hashes[0];
    const std::vector<TokenId> first(cached.begin(), cached.begin() + 4);
    REQUIRE_FALSE(index.insert(h0, PrefixIndex::kRootHash, first, 7));
    REQUIRE(index.blockOf(h0) == 100);
    index.erase(h0);
    REQUIRE(index.blockOf(h0) == -1);
    REQUIRE(index.longestPrefix(cached, 4).blocks.empty());  // the chain starts at block 0
}

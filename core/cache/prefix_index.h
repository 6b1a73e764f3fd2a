#pragma once
// Which physical block holds which full block of tokens. A full block is identified by a hash
// chained over (parent block's hash, this block's tokens), so equal hashes mean equal prefixes
// (vLLM's automatic prefix caching). The index keeps each entry's parent hash and tokens and
// compares them on lookup, so a 64-bit hash collision can never hand out the wrong K/V.
// Metadata only; the blocks' reference counts and LRU order live in BlockAllocator.
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/cache/block_allocator.h"
#include "core/model/tokenizer.h"

namespace kvscope {

/// The longest cached prefix of a token list: its full blocks, in order, and their hashes.
struct PrefixMatch {
    std::vector<BlockId> blocks;
    std::vector<BlockHash> hashes;
};

class PrefixIndex {
public:
    /// Parent hash of a sequence's first block.
    static constexpr BlockHash kRootHash = 0x6b7673636f706521ull;

    /// Hash of one full block given its parent's hash (FNV-1a over the parent and the tokens).
    static BlockHash hashBlock(BlockHash parent, std::span<const TokenId> tokens);

    /// The block registered for (parent, tokens), or -1.
    BlockId find(BlockHash parent, std::span<const TokenId> tokens) const;
    /// Registers `block` as holding (parent, tokens), whose hash is `hash`. Returns false (and
    /// registers nothing) when an equal block is registered already.
    /// Pre: hash == hashBlock(parent, tokens).
    bool insert(BlockHash hash, BlockHash parent, std::span<const TokenId> tokens, BlockId block);
    /// Forgets the entry of `hash` (its block was evicted). Pre: an entry for `hash` exists.
    void erase(BlockHash hash);
    std::int64_t size() const { return std::int64_t(m_entries.size()); }
    /// Block registered under `hash`, or -1.
    BlockId blockOf(BlockHash hash) const;

    /// Walks the full blocks of `tokens` from the first and stops at the first miss.
    /// Pre: block_size > 0.
    PrefixMatch longestPrefix(std::span<const TokenId> tokens, std::int64_t block_size) const;

private:
    struct Entry {
        BlockId block;
        BlockHash parent;
        std::vector<TokenId> tokens;  // [block_size]
    };
    std::unordered_map<BlockHash, Entry> m_entries;
};

}  // namespace kvscope

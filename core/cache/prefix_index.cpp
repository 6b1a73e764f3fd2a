#include "core/cache/prefix_index.h"
#include "core/util/check.h"

#include <algorithm>

namespace kvscope {

namespace {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;

std::uint64_t mixBytes(std::uint64_t h, std::uint64_t value, int n_bytes) {
    for (int i = 0; i < n_bytes; ++i) {
        h ^= (value >> (8 * i)) & 0xffu;
        h *= kFnvPrime;
    }
    return h;
}

}  // namespace

BlockHash PrefixIndex::hashBlock(BlockHash parent, std::span<const TokenId> tokens) {
    std::uint64_t h = mixBytes(kFnvOffset, parent, 8);
    for (TokenId t : tokens)
        h = mixBytes(h, std::uint32_t(t), 4);
    return h;
}

BlockId PrefixIndex::find(BlockHash parent, std::span<const TokenId> tokens) const {
    const auto it = m_entries.find(hashBlock(parent, tokens));
    if (it == m_entries.end()) return -1;
    const Entry& e = it->second;
    const bool same = e.parent == parent && std::ranges::equal(e.tokens, tokens);
    return same ? e.block : -1;
}

bool PrefixIndex::insert(BlockHash hash, BlockHash parent, std::span<const TokenId> tokens,
                         BlockId block) {
    KVSCOPE_EXPECTS(hash == hashBlock(parent, tokens));
    const auto [it, inserted] =
        m_entries.try_emplace(hash, Entry{block, parent, {tokens.begin(), tokens.end()}});
    (void)it;
    return inserted;
}

void PrefixIndex::erase(BlockHash hash) {
    [[maybe_unused]] const auto n = m_entries.erase(hash);
    KVSCOPE_EXPECTS(n == 1);
}

BlockId PrefixIndex::blockOf(BlockHash hash) const {
    const auto it = m_entries.find(hash);
    return it == m_entries.end() ? -1 : it->second.block;
}

PrefixMatch PrefixIndex::longestPrefix(std::span<const TokenId> tokens,
                                       std::int64_t block_size) const {
    KVSCOPE_EXPECTS(block_size > 0);
    PrefixMatch match;
    BlockHash parent = kRootHash;
    for (std::int64_t first = 0; first + block_size <= std::int64_t(tokens.size());
         first += block_size) {
        const auto block_tokens = tokens.subspan(std::size_t(first), std::size_t(block_size));
        const BlockId block = find(parent, block_tokens);
        if (block < 0) break;
        parent = hashBlock(parent, block_tokens);
        match.blocks.push_back(block);
        match.hashes.push_back(parent);
    }
    return match;
}

}  // namespace kvscope

#pragma once
// KV memory accounting of one allocation policy for the serving simulator. Metadata only: no
// K/V bytes are stored. The paged policies run the real BlockAllocator (and PrefixIndex for
// prefix sharing); the contiguous policies reserve a region per sample up front.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/cache/block_allocator.h"
#include "core/cache/block_table.h"
#include "core/model/tokenizer.h"
#include "core/sim/pool_snapshot.h"
#include "core/sim/sim_types.h"
#include "core/sim/workload.h"

namespace kvscope::sim {

/// The KV state of one request: one sequence per sample. Sample 0 holds the prompt until fork().
struct GroupKv {
    std::vector<std::int64_t> lens;        // [samples] tokens in the KV of each sample
    std::vector<BlockTable> tables;        // [samples] paged only
    std::vector<TokenId> prompt_tokens;    // [prompt_len] paged-prefix only
    std::vector<BlockHash> prompt_hashes;  // paged-prefix: hashes of the full prompt blocks so far
    std::int64_t reserved = 0;             // contiguous: slots reserved for this request
    bool forked = false;
};

/// A running request as a snapshot sees it.
struct RunningGroup {
    const Request* req = nullptr;
    const GroupKv* kv = nullptr;
};

class KvAccountant {
public:
    virtual ~KvAccountant() = default;
    /// Whether `r`, which has `generated` tokens per sample to recompute, may start now; on true
    /// `kv` is set up (contiguous: the reservation is made). `alone`: nothing else is running.
    virtual bool admit(const Request& r, std::int64_t generated, bool alone, GroupKv& kv) = 0;
    /// Prompt tokens already cached (paged-prefix); they are attached to sample 0 and need no
    /// compute. Pre: just admitted. Returns the tokens reused (always < prompt_len).
    virtual std::int64_t reusePrefix(const Request&, GroupKv&) { return 0; }
    /// Writes one token into sample `s`. Returns false, changing nothing, when memory is out.
    virtual bool append(const Request& r, GroupKv& kv, std::size_t s) = 0;
    /// Shares sample 0's KV with the other samples. Pre: !kv.forked.
    virtual void fork(GroupKv& kv) = 0;
    /// Frees everything `kv` holds (finish or preemption) and clears it.
    virtual void release(GroupKv& kv) = 0;
    /// Whether a request could ever run alone under this budget.
    virtual bool fits(const Request& r) const = 0;

    std::int64_t held() const { return m_held; }
    virtual std::int64_t reserved() const = 0;
    /// Fills out's block_size, cells, seqs (from `running`, in that order), held and reserved.
    virtual void snapshot(std::span<const RunningGroup> running, PoolSnapshot& out) const = 0;

protected:
    std::int64_t m_held = 0;  // slots holding a token (a shared slot counts once)
};

std::unique_ptr<KvAccountant> makeAccountant(const SimConfig& config);

/// The synthetic token at `pos` of `r`'s prompt: the shared system prompt has the same tokens in
/// every request; the rest is unique to the request (so it never matches by accident).
TokenId promptToken(const Request& r, std::int64_t pos);

}  // namespace kvscope::sim

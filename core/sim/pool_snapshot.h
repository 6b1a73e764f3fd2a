#pragma once
// A picture of the simulated KV pool after one step of ServingSimulation: every cell (a physical
// block of `block_size` token slots) with the sequences whose block tables hold it, its reference
// count, how many slots hold a token and whether it is a cached full prefix block; and the block
// table of every running sequence. What the GUI's Paging view draws; nothing here is computed by
// the view.
//
// Paged policies: cells are the BlockAllocator's blocks, ids 0..n_blocks-1; a free block that
// still holds a registered prefix is CachedFree (reusable until evicted).
// Contiguous policies: the accountant reserves regions without addresses, so the picture packs
// each sample's region at the next free cell in running order, as ceil(region / block_size)
// cells (a region's last cell may have fewer slots: `capacity`); external fragmentation is not
// modelled. When rounding up needs more cells than the budget has, the grid grows to fit.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/cache/block_allocator.h"
#include "core/sim/sim_types.h"

namespace kvscope::sim {

/// One sequence of the simulation: sample `sample` of request `request`.
struct SimSeq {
    std::int64_t request = 0;
    std::int64_t sample = 0;
    bool operator==(const SimSeq&) const = default;
};

enum class CellState {
    Free,        // holds nothing useful
    CachedFree,  // free, but still holds a cached full prefix block (paged-prefix)
    InUse,       // held by at least one running sequence
};

struct PoolCell {
    CellState state = CellState::Free;
    std::vector<SimSeq> owners;     // sequences whose tables hold the cell, in running order
    std::int64_t ref_count = 0;     // paged: the allocator's count; contiguous: owners.size()
    std::int64_t fill = 0;          // slots holding a token (a cached free block keeps its tokens)
    std::int64_t capacity = 0;      // token slots of the cell (block_size; a contiguous region's
                                    // last cell may have fewer)
    std::optional<BlockHash> hash;  // cached full block: its prefix hash
};

struct SeqTable {
    SimSeq seq;
    std::int64_t length = 0;      // tokens in the sequence's KV
    std::int64_t reserved = 0;    // slots set aside for it (contiguous: its region)
    std::vector<BlockId> blocks;  // [logical block] -> cell index
};

struct PoolSnapshot {
    PolicyKind policy = PolicyKind::Paged;
    std::int64_t step = -1;  // the simulated step just run (-1 before the first)
    std::int64_t block_size = 16;
    std::vector<PoolCell> cells;  // [n_cells]
    std::vector<SeqTable> seqs;   // running sequences, in running (arrival) order
    std::int64_t held = 0;        // slots holding a token (a shared slot counts once)
    std::int64_t reserved = 0;    // slots reserved (StepSample::reserved)
    std::int64_t waiting = 0;     // requests arrived and not running
    std::int64_t completed = 0;   // requests finished

    /// The table of `seq`, or nullptr when it is not running.
    const SeqTable* table(const SimSeq& seq) const {
        for (const SeqTable& t : seqs)
            if (t.seq == seq) return &t;
        return nullptr;
    }
};

}  // namespace kvscope::sim

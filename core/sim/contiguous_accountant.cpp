// Contiguous policies: each sample reserves max_seq slots (contiguous-max, the pre-paging
// baseline) or exactly prompt + output slots (contiguous-exact, an oracle) when admitted.
#include <algorithm>

#include "core/sim/kv_accountant.h"
#include "core/util/check.h"

namespace kvscope::sim {

namespace {

class ContiguousAccountant final : public KvAccountant {
public:
    ContiguousAccountant(const SimConfig& c, bool exact) : m_config(c), m_exact(exact) {}

    bool admit(const Request& r, std::int64_t, bool, GroupKv& kv) override {
        const std::int64_t need = reservation(r);
        if (m_reserved + need > m_config.kv_slots) return false;
        m_reserved += need;
        kv.reserved = need;
        kv.lens.assign(std::size_t(r.samples), 0);
        return true;
    }

    bool append(const Request&, GroupKv& kv, std::size_t s) override {
        KVSCOPE_EXPECTS(s < kv.lens.size());
        ++kv.lens[s];
        ++m_held;
        return true;
    }

    void fork(GroupKv& kv) override {
        KVSCOPE_EXPECTS(!kv.forked);
        for (std::size_t s = 1; s < kv.lens.size(); ++s) {  // each sample copies the prompt
            kv.lens[s] = kv.lens[0];
            m_held += kv.lens[0];
        }
        kv.forked = true;
    }

    void release(GroupKv& kv) override {
        for (std::int64_t len : kv.lens)
            m_held -= len;
        m_reserved -= kv.reserved;
        kv = GroupKv{};
    }

    bool fits(const Request& r) const override { return reservation(r) <= m_config.kv_slots; }
    std::int64_t reserved() const override { return m_reserved; }

    // Packs each sample's region at the next free cell, in running order (pool_snapshot.h).
    void snapshot(std::span<const RunningGroup> running, PoolSnapshot& out) const override {
        const std::int64_t bs = m_config.block_size;
        out.block_size = bs;
        out.cells.assign(std::size_t(m_config.kv_slots / bs), PoolCell{.capacity = bs});
        out.seqs.clear();
        std::size_t next = 0;
        for (const RunningGroup& g : running) {
            const std::int64_t n_samples = std::int64_t(g.kv->lens.size());
            const std::int64_t region = g.kv->reserved / n_samples;
            for (std::int64_t s = 0; s < n_samples; ++s) {
                SeqTable table{{g.req->id, s}, g.kv->lens[std::size_t(s)], region, {}};
                for (std::int64_t first = 0; first < region; first += bs, ++next) {
                    if (next >= out.cells.size())
                        out.cells.resize(next + 1, PoolCell{.capacity = bs});
                    PoolCell& cell = out.cells[next];
                    cell.state = CellState::InUse;
                    cell.owners = {table.seq};
                    cell.ref_count = 1;
                    cell.capacity = std::min(bs, region - first);
                    cell.fill = std::clamp<std::int64_t>(table.length - first, 0, cell.capacity);
                    table.blocks.push_back(BlockId(next));
                }
                out.seqs.push_back(std::move(table));
            }
        }
        out.held = m_held;
        out.reserved = m_reserved;
    }

private:
    std::int64_t reservation(const Request& r) const {
        const std::int64_t per_sample = m_exact ? r.prompt_len + r.output_len : m_config.max_seq;
        return per_sample * r.samples;
    }

    SimConfig m_config;
    bool m_exact;
    std::int64_t m_reserved = 0;
};

}  // namespace

std::unique_ptr<KvAccountant> makeContiguousAccountant(const SimConfig& config, bool exact) {
    return std::make_unique<ContiguousAccountant>(config, exact);
}

}  // namespace kvscope::sim

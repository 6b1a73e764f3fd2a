#pragma once
// How one role (K or V) of one layer of the live cache is split into stored bytes: the "low" part
// (tokens older than the residual, in the role's codec, in units of 1 token or, for kivi2 keys,
// 32) and the "residual" (the most recent tokens in higher precision, in a ring of slots:
// position p in slot p % slots). Both cache layouts keep their bytes this way; they differ only
// in where a low unit lives (a contiguous region or a paged block), which KvTierStorage says.
//
// Every token enters through the residual codec (fp32 -> residual bytes) and is re-encoded into
// the low codec from those bytes when it ages out, so batched and token-by-token appends store
// the same bytes. Truncating moves tokens back into the residual from their low bytes: the cache
// keeps only the bytes it counts, so the precision lost when a token aged out stays lost.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/cache/kv_codec.h"
#include "core/cache/kv_dtype.h"

namespace kvscope {

class KvTierCodec {
public:
    /// Pre (InputError): checkKvRoleFormat(format); for kivi2 keys head_dim % 1 == 0 always.
    KvTierCodec(const KvRoleFormat& format, KvRole role, std::int64_t n_kv_heads,
                std::int64_t head_dim);

    const KvRoleFormat& format() const { return m_format; }
    KvRole role() const { return m_role; }
    std::int64_t kvDim() const { return m_n_heads * m_head_dim; }
    /// Tokens of n in the residual, and in the low part.
    std::int64_t residual(std::int64_t n) const;
    std::int64_t lowTokens(std::int64_t n) const { return n - residual(n); }
    /// Tokens per low unit (1, or 32 for kivi2 keys) and the bytes of one unit, all heads.
    std::int64_t unitTokens() const { return m_unit_tokens; }
    std::int64_t unitBytes() const { return m_unit_bytes; }
    /// Bytes of one residual row (one token, all heads), and the residual's largest size.
    std::int64_t residualRowBytes() const { return m_residual_row_bytes; }
    std::int64_t residualSlots() const { return m_slots; }
    /// Bytes n tokens hold: residual rows + low units, all heads.
    std::int64_t bytesUsed(std::int64_t n) const;

    /// rows: [unitTokens()][kvDim()] fp32 <-> unitBytes() bytes.
    void encodeLow(const float* rows, std::byte* out) const;
    void decodeLow(const std::byte* in, float* rows) const;
    /// Where the heads of KV-head group `group` of `n_groups` (n_heads / n_groups heads each;
    /// fp32: kvDim() / n_groups values, whatever the heads) sit in one low unit: {byte offset,
    /// bytes} (a unit stores head after head).
    std::pair<std::int64_t, std::int64_t> groupBytes(std::int64_t group,
                                                     std::int64_t n_groups) const;
    /// Encodes only the heads of that group of `rows` ([unitTokens()][kvDim()] fp32) into `out`
    /// (their groupBytes().second bytes): the other heads' bytes are not re-encoded.
    void encodeGroup(const float* rows, std::int64_t group, std::int64_t n_groups,
                     std::byte* out) const;
    /// row: [kvDim()] fp32 <-> residualRowBytes() bytes. Pre: residualSlots() > 0.
    void encodeResidual(const float* row, std::byte* out) const;
    void decodeResidual(const std::byte* in, float* row) const;
    /// Encodes only the heads of group `group` of `n_groups` of `row` ([kvDim()] fp32) into the
    /// residual row `out` (residualRowBytes() bytes; the other heads keep theirs).
    void encodeResidualGroup(const float* row, std::int64_t group, std::int64_t n_groups,
                             std::byte* out) const;

private:
    KvRoleFormat m_format;
    KvRole m_role;
    std::int64_t m_n_heads, m_head_dim;
    std::int64_t m_unit_tokens, m_unit_bytes, m_head_unit_bytes;
    std::int64_t m_residual_row_bytes, m_head_residual_bytes, m_slots;
    std::unique_ptr<KvCodec> m_low;       // the role's codec (kivi2: window 0, whole groups)
    std::unique_ptr<KvCodec> m_residual;  // null when there is no residual
};

/// Where one role of one layer keeps its bytes.
struct KvTierStorage {
    /// The bytes of low unit u (unitBytes() of them). Writable only where the layout allows
    /// (paged: the block was copied on write first). nullptr: the unit's block was released
    /// (paged holes: no row of it is held), so its bytes are gone.
    std::function<std::byte*(std::int64_t unit)> low;
    std::byte* ring = nullptr;    // [ring_slots][residualRowBytes()]
    std::int64_t ring_slots = 0;  // >= residual(n) for every length n the storage holds
};

/// Stores rows [n_held, n_held + n) (rows: [n][kvDim()] fp32), ageing tokens from the residual
/// into low units as they leave it.
void appendTiered(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t n_held,
                  std::int64_t n, const float* rows);
/// Shrinks from n_held to new_length tokens: tokens that re-enter the residual are decoded from
/// their low units. Call before the layout frees low units past lowTokens(new_length).
void truncateTiered(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t n_held,
                    std::int64_t new_length);
/// Moves tokens [from, to) back into the residual, decoded from their low units (a released
/// unit, storage.low(u) == nullptr, is skipped: its rows are held by no one). Pre: from is a
/// multiple of unitTokens(), to - from <= the ring's slots.
void reenterTiered(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t from,
                   std::int64_t to);
/// Decodes tokens [0, n) into out: [n][kvDim()] fp32.
void decodeTiered(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t n,
                  float* out);

}  // namespace kvscope

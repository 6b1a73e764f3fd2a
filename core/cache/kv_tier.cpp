#include "core/cache/kv_tier.h"

#include <algorithm>
#include <cstring>
#include <span>

#include "core/util/check.h"
#include "core/util/checked_math.h"

namespace kvscope {

KvTierCodec::KvTierCodec(const KvRoleFormat& format, KvRole role, std::int64_t n_kv_heads,
                         std::int64_t head_dim)
    : m_format(format), m_role(role), m_n_heads(n_kv_heads), m_head_dim(head_dim) {
    checkKvRoleFormat(format, "KV cache spec");
    m_unit_tokens = kvLowUnitTokens(format, role);
    m_head_unit_bytes = kvLowUnitBytes(format, role, head_dim);
    m_unit_bytes = checkedMul(m_head_unit_bytes, n_kv_heads, "KV unit bytes");
    m_slots = kvResidualSlots(format, role);
    m_head_residual_bytes = kvRowBytes(kvResidualDtype(format), head_dim);
    m_residual_row_bytes = checkedMul(m_head_residual_bytes, n_kv_heads, "KV residual bytes");
    m_low = makeKvCodec(format.dtype, 0);
    if (m_slots > 0) m_residual = makeKvCodec(kvResidualDtype(format));
}

std::int64_t KvTierCodec::residual(std::int64_t n) const {
    return kvResidualTokens(m_format, m_role, n);
}

std::int64_t KvTierCodec::bytesUsed(std::int64_t n) const {
    return m_n_heads * kvBytesForTokens(m_format, m_role, m_head_dim, n);
}

void KvTierCodec::encodeLow(const float* rows, std::byte* out) const {
    const auto hd = std::size_t(m_head_dim), hb = std::size_t(m_head_unit_bytes);
    if (m_unit_tokens == 1) {
        for (std::size_t h = 0; h < std::size_t(m_n_heads); ++h)
            m_low->encode(std::span(rows + h * hd, hd), std::span(out + h * hb, hb));
        return;
    }
    // kivi2 keys: one head's [32][head_dim] slab, grouped per channel along its tokens.
    std::vector<float> slab(std::size_t(m_unit_tokens) * hd);  // [32][head_dim]
    const std::size_t stride = std::size_t(kvDim());
    for (std::size_t h = 0; h < std::size_t(m_n_heads); ++h) {
        for (std::size_t t = 0; t < std::size_t(m_unit_tokens); ++t)
            std::memcpy(slab.data() + t * hd, rows + t * stride + h * hd, hd * sizeof(float));
        m_low->encodeTokens(m_role, m_head_dim, slab, std::span(out + h * hb, hb));
    }
}

void KvTierCodec::decodeLow(const std::byte* in, float* rows) const {
    const auto hd = std::size_t(m_head_dim), hb = std::size_t(m_head_unit_bytes);
    if (m_unit_tokens == 1) {
        for (std::size_t h = 0; h < std::size_t(m_n_heads); ++h)
            m_low->decode(std::span(in + h * hb, hb), std::span(rows + h * hd, hd));
        return;
    }
    std::vector<float> slab(std::size_t(m_unit_tokens) * hd);  // [32][head_dim]
    const std::size_t stride = std::size_t(kvDim());
    for (std::size_t h = 0; h < std::size_t(m_n_heads); ++h) {
        m_low->decodeTokens(m_role, m_head_dim, std::span(in + h * hb, hb), slab);
        for (std::size_t t = 0; t < std::size_t(m_unit_tokens); ++t)
            std::memcpy(rows + t * stride + h * hd, slab.data() + t * hd, hd * sizeof(float));
    }
}

std::pair<std::int64_t, std::int64_t> KvTierCodec::groupBytes(std::int64_t group,
                                                              std::int64_t n_groups) const {
    KVSCOPE_EXPECTS(n_groups > 0 && group >= 0 && group < n_groups);
    if (m_format.dtype == KvDtype::F32) {  // every value in its own 4 bytes: any split of values
        KVSCOPE_EXPECTS(kvDim() % n_groups == 0);
        const std::int64_t bytes = kvDim() / n_groups * std::int64_t(sizeof(float));
        return {group * bytes, bytes};
    }
    KVSCOPE_EXPECTS(m_n_heads % n_groups == 0 && "a group is whole heads");
    const std::int64_t heads = m_n_heads / n_groups;
    return {group * heads * m_head_unit_bytes, heads * m_head_unit_bytes};
}

void KvTierCodec::encodeGroup(const float* rows, std::int64_t group, std::int64_t n_groups,
                              std::byte* out) const {
    const auto [offset, bytes] = groupBytes(group, n_groups);
    if (m_format.dtype == KvDtype::F32) {
        std::memcpy(out, reinterpret_cast<const std::byte*>(rows) + offset, std::size_t(bytes));
        return;
    }
    const std::int64_t heads = bytes / m_head_unit_bytes;
    const auto hd = std::size_t(m_head_dim), hb = std::size_t(m_head_unit_bytes);
    std::vector<float> slab;  // kivi2 keys: one head's [32][head_dim]
    for (std::size_t h = 0; h < std::size_t(heads); ++h) {
        const std::size_t head = std::size_t(group * heads) + h;
        if (m_unit_tokens == 1) {
            m_low->encode(std::span(rows + head * hd, hd), std::span(out + h * hb, hb));
            continue;
        }
        slab.resize(std::size_t(m_unit_tokens) * hd);
        for (std::size_t t = 0; t < std::size_t(m_unit_tokens); ++t)
            std::memcpy(slab.data() + t * hd, rows + t * std::size_t(kvDim()) + head * hd,
                        hd * sizeof(float));
        m_low->encodeTokens(m_role, m_head_dim, slab, std::span(out + h * hb, hb));
    }
}

void KvTierCodec::encodeResidualGroup(const float* row, std::int64_t group, std::int64_t n_groups,
                                      std::byte* out) const {
    KVSCOPE_EXPECTS(m_residual && n_groups > 0 && group >= 0 && group < n_groups);
    KVSCOPE_EXPECTS(m_n_heads % n_groups == 0 && "a group is whole heads");
    const std::int64_t heads = m_n_heads / n_groups;
    const auto hd = std::size_t(m_head_dim), hb = std::size_t(m_head_residual_bytes);
    for (std::size_t h = 0; h < std::size_t(heads); ++h) {
        const std::size_t head = std::size_t(group * heads) + h;
        m_residual->encode(std::span(row + head * hd, hd), std::span(out + head * hb, hb));
    }
}

void KvTierCodec::encodeResidual(const float* row, std::byte* out) const {
    KVSCOPE_EXPECTS(m_residual);
    const auto hd = std::size_t(m_head_dim), hb = std::size_t(m_head_residual_bytes);
    for (std::size_t h = 0; h < std::size_t(m_n_heads); ++h)
        m_residual->encode(std::span(row + h * hd, hd), std::span(out + h * hb, hb));
}

void KvTierCodec::decodeResidual(const std::byte* in, float* row) const {
    KVSCOPE_EXPECTS(m_residual);
    const auto hd = std::size_t(m_head_dim), hb = std::size_t(m_head_residual_bytes);
    for (std::size_t h = 0; h < std::size_t(m_n_heads); ++h)
        m_residual->decode(std::span(in + h * hb, hb), std::span(row + h * hd, hd));
}

namespace {

std::byte* slot(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t pos) {
    return storage.ring + (pos % storage.ring_slots) * codec.residualRowBytes();
}

}  // namespace

void appendTiered(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t n_held,
                  std::int64_t n, const float* rows) {
    const std::int64_t dim = codec.kvDim(), unit = codec.unitTokens();
    const bool has_residual = codec.residualSlots() > 0;
    std::vector<float> unit_rows(std::size_t(unit * dim));                // [unit][kv_dim]
    std::vector<std::byte> fresh(std::size_t(codec.residualRowBytes()));  // the new token
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t p = n_held + i;
        const float* x = rows + i * dim;
        if (has_residual) codec.encodeResidual(x, fresh.data());
        // Units that leave the residual when the length becomes p + 1.
        const std::int64_t low_before = codec.lowTokens(p), low_after = codec.lowTokens(p + 1);
        for (std::int64_t u = low_before / unit; u < low_after / unit; ++u) {
            for (std::int64_t q = u * unit; q < (u + 1) * unit; ++q) {
                float* dst = unit_rows.data() + (q - u * unit) * dim;
                if (q == p && !has_residual) {
                    std::memcpy(dst, x, std::size_t(dim) * sizeof(float));
                } else {
                    KVSCOPE_EXPECTS(has_residual && storage.ring_slots > 0);
                    codec.decodeResidual(q == p ? fresh.data() : slot(codec, storage, q), dst);
                }
            }
            codec.encodeLow(unit_rows.data(), storage.low(u));
        }
        if (p >= low_after) {
            KVSCOPE_EXPECTS(codec.residual(p + 1) <= storage.ring_slots);
            std::memcpy(slot(codec, storage, p), fresh.data(), fresh.size());
        }
    }
}

void truncateTiered(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t n_held,
                    std::int64_t new_length) {
    KVSCOPE_EXPECTS(new_length <= n_held);
    reenterTiered(codec, storage, codec.lowTokens(new_length),
                  std::min(new_length, codec.lowTokens(n_held)));
}

void reenterTiered(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t from,
                   std::int64_t to) {
    if (from >= to) return;
    const std::int64_t dim = codec.kvDim(), unit = codec.unitTokens();
    KVSCOPE_EXPECTS(from % unit == 0 && to - from <= storage.ring_slots);
    std::vector<float> unit_rows(std::size_t(unit * dim));  // [unit][kv_dim]
    for (std::int64_t u = from / unit; u * unit < to; ++u) {
        const std::byte* bytes = storage.low(u);
        if (!bytes) continue;  // released: no row of it is held
        codec.decodeLow(bytes, unit_rows.data());
        for (std::int64_t q = u * unit; q < std::min((u + 1) * unit, to); ++q)
            codec.encodeResidual(unit_rows.data() + (q - u * unit) * dim, slot(codec, storage, q));
    }
}

void decodeTiered(const KvTierCodec& codec, const KvTierStorage& storage, std::int64_t n,
                  float* out) {
    const std::int64_t dim = codec.kvDim(), unit = codec.unitTokens();
    const std::int64_t low = codec.lowTokens(n);
    for (std::int64_t u = 0; u < low / unit; ++u)
        codec.decodeLow(storage.low(u), out + u * unit * dim);
    for (std::int64_t q = low; q < n; ++q)
        codec.decodeResidual(slot(codec, storage, q), out + q * dim);
}

}  // namespace kvscope

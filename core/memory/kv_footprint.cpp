#include "core/memory/kv_footprint.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return a / b + (a % b != 0 ? 1 : 0);
}

[[noreturn]] void fail(const std::string& what) {
    throw InputError("memory estimate: " + what);
}

}  // namespace

std::string_view toString(KvLayout layout) {
    return layout == KvLayout::Paged ? "paged" : "contiguous";
}

void checkKvInputs(const ModelShape& shape, const CacheSpec& spec, const Workload& workload) {
    shape.validate();
    const auto positive = [](std::int64_t value, const char* name) {
        if (value <= 0) fail(std::string(name) + " must be > 0, got " + std::to_string(value));
    };
    positive(workload.context, "context");
    positive(workload.batch, "batch");
    positive(workload.tp, "tensor-parallel degree");
    positive(spec.block_size, "block size");
    if (workload.context > kMaxEstimatorContext) {
        fail("context " + std::to_string(workload.context) + " is more than the " +
             std::to_string(kMaxEstimatorContext) + " tokens the estimator accepts");
    }
    if (workload.shared_prefix < 0 || workload.shared_prefix > workload.context) {
        fail("shared prefix must be in [0, context = " + std::to_string(workload.context) +
             "], got " + std::to_string(workload.shared_prefix));
    }
    if (spec.reserve_length < 0 || spec.reserve_length > kMaxEstimatorContext) {
        fail("contiguous reservation must be in [0, 2^32], got " +
             std::to_string(spec.reserve_length));
    }
    if (spec.reserve_length > 0 && spec.reserve_length < workload.context) {
        fail("contiguous reservation " + std::to_string(spec.reserve_length) +
             " is shorter than the context " + std::to_string(workload.context));
    }
    if (spec.kivi_window < 0) fail("KIVI window must be >= 0");
    if (spec.recent_window < 0) fail("recent window must be >= 0");
    if (spec.recent_dtype == KvDtype::KIVI2) fail("kivi2 cannot be the recent-window dtype");
    if (spec.layout == KvLayout::Paged && spec.k_dtype == KvDtype::KIVI2 &&
        spec.block_size % kKvGroupSize != 0) {
        std::string message =
            "kivi2 on paged blocks needs a block size that is a multiple of 32 (its keys are "
            "grouped along 32 tokens), got ";
        message.append(std::to_string(spec.block_size)).append("; or use the contiguous layout");
        fail(message);
    }
    if (shape.n_heads % workload.tp != 0) {
        fail("tensor-parallel degree " + std::to_string(workload.tp) + " does not divide the " +
             std::to_string(shape.n_heads) + " query heads");
    }
    if (shape.layer_kv_heads.empty()) {
        kvHeadsPerGpu(shape, workload.tp);
        return;
    }
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer) {
        if (shape.holdsKv(layer)) kvHeadsPerGpuOf(shape, layer, workload.tp);
    }
}

namespace {

std::int64_t headsOnGpu(std::int64_t kv, std::int64_t tp) {
    if (tp <= 0) fail("tensor-parallel degree must be > 0, got " + std::to_string(tp));
    if (kv >= tp) {
        if (kv % tp != 0) {
            fail("tensor-parallel degree " + std::to_string(tp) + " does not divide the " +
                 std::to_string(kv) + " KV heads");
        }
        return kv / tp;
    }
    if (tp % kv != 0) {
        fail(std::to_string(kv) + " KV heads cannot be replicated evenly over " +
             std::to_string(tp) + " GPUs");
    }
    return 1;
}

}  // namespace

std::int64_t kvHeadsPerGpu(const ModelShape& shape, std::int64_t tp) {
    return headsOnGpu(shape.n_kv_heads, tp);
}

std::int64_t kvHeadsPerGpuOf(const ModelShape& shape, std::int64_t layer, std::int64_t tp) {
    return headsOnGpu(shape.kvHeadsOf(layer), tp);
}

std::int64_t heldTokens(const ModelShape& shape, std::int64_t layer, std::int64_t tokens) {
    if (!shape.holdsKv(layer)) return 0;
    if (shape.isLocal(layer)) return std::min(tokens, shape.sliding_window);
    if (shape.isChunked(layer)) return std::min(tokens, shape.attention_chunk);
    return tokens;
}

std::int64_t stateBytesPerSequence(const ModelShape& shape, std::int64_t tp) {
    if (shape.state_layers.empty()) return 0;
    const char* what = "recurrent state bytes per sequence";
    const std::int64_t conv = shape.state.conv_values / tp + (shape.state.conv_values % tp ? 1 : 0);
    const std::int64_t ssm = shape.state.ssm_values / tp + (shape.state.ssm_values % tp ? 1 : 0);
    return checkedMul(checkedMul(checkedAdd(conv, ssm, what), shape.state.dtype_bytes, what),
                      shape.nStateLayers(), what);
}

KvRoleFormat keyFormat(const CacheSpec& spec) {
    return {.dtype = spec.k_dtype,
            .recent_window = spec.k_dtype == KvDtype::KIVI2 ? 0 : spec.recent_window,
            .recent_dtype = spec.recent_dtype,
            .kivi_window = spec.kivi_window};
}

KvRoleFormat valueFormat(const CacheSpec& spec) {
    KvRoleFormat format = keyFormat(spec);
    format.dtype = spec.v_dtype;
    format.recent_window = spec.v_dtype == KvDtype::KIVI2 ? 0 : spec.recent_window;
    return format;
}

namespace {

/// One role of a layer: its format, role, row length and how many rows (heads) a token has.
struct RolePart {
    KvRoleFormat format;
    KvRole role;
    std::int64_t row_values;
    std::int64_t rows;
};

/// K and V of a layer (MLA: one latent row in the K dtype); layer < 0: the shape's head sizes.
std::vector<RolePart> roleParts(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                                std::int64_t layer = -1) {
    if (shape.attention == AttentionKind::MLA)
        return {{keyFormat(spec), KvRole::Value, kvValuesPerTokenPerLayer(shape), 1}};
    const std::int64_t k = layer < 0 ? shape.head_dim : shape.headDimOf(layer);
    const std::int64_t v = layer < 0 ? shape.v_head_dim : shape.vHeadDimOf(layer);
    return {{keyFormat(spec), KvRole::Key, k, heads}, {valueFormat(spec), KvRole::Value, v, heads}};
}

/// Tokens of `held` stored in blocks (older than the residual): the most over the parts, and
/// the fewest (blocks complete in every part).
std::int64_t lowTokens(const RolePart& part, std::int64_t held) {
    return held - kvResidualTokens(part.format, part.role, held);
}

/// Bytes the low parts of `low` tokens take (per part: its own low tokens of `held`).
std::int64_t lowBytes(const RolePart& part, std::int64_t low) {
    const std::int64_t units = low / kvLowUnitTokens(part.format, part.role);
    return checkedMul(
        checkedMul(units, kvLowUnitBytes(part.format, part.role, part.row_values), "KV low bytes"),
        part.rows, "KV low bytes");
}

}  // namespace

std::int64_t kvLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t layer,
                          std::int64_t heads, std::int64_t held) {
    if (!shape.holdsKv(layer)) return 0;
    const char* what = "KV bytes of one layer";
    std::int64_t total = 0;
    for (const RolePart& part : roleParts(shape, spec, heads, layer)) {
        total = checkedAdd(
            total,
            checkedMul(part.rows, kvBytesForTokens(part.format, part.role, part.row_values, held),
                       what),
            what);
    }
    return total;
}

std::int64_t kvLayerReservedBytes(const ModelShape& shape, const CacheSpec& spec,
                                  std::int64_t layer, std::int64_t heads, std::int64_t reserve) {
    if (!shape.holdsKv(layer)) return 0;
    const char* what = "reserved KV bytes of one layer";
    std::int64_t total = 0;
    for (const RolePart& part : roleParts(shape, spec, heads, layer)) {
        total = checkedAdd(
            total,
            checkedMul(part.rows, kvReservedBytes(part.format, part.role, part.row_values, reserve),
                       what),
            what);
    }
    return total;
}

std::int64_t kvBlockLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                               std::int64_t layer) {
    std::int64_t total = 0;
    for (const RolePart& part : roleParts(shape, spec, heads, layer))
        total = checkedAdd(total, lowBytes(part, spec.block_size), "KV bytes of one block");
    return total;
}

std::int64_t kvRingLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                              std::int64_t layer) {
    const char* what = "KV residual ring bytes";
    std::int64_t total = 0;
    for (const RolePart& part : roleParts(shape, spec, heads, layer)) {
        const std::int64_t row = kvRowBytes(kvResidualDtype(part.format), part.row_values);
        total =
            checkedAdd(total,
                       checkedMul(checkedMul(kvResidualSlots(part.format, part.role), row, what),
                                  part.rows, what),
                       what);
    }
    return total;
}

std::int64_t kvTokenLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                               std::int64_t layer) {
    const char* what = "KV bytes per token and layer";
    if (shape.attention == AttentionKind::MLA) {
        return kvRowBytes(spec.k_dtype, kvValuesPerTokenPerLayer(shape));
    }
    const std::int64_t k = layer < 0 ? shape.head_dim : shape.headDimOf(layer);
    const std::int64_t v = layer < 0 ? shape.v_head_dim : shape.vHeadDimOf(layer);
    return checkedMul(
        heads, checkedAdd(kvRowBytes(spec.k_dtype, k), kvRowBytes(spec.v_dtype, v), what), what);
}

std::int64_t layerHeads(const ModelShape& shape, std::int64_t layer, std::int64_t heads) {
    if (shape.layer_kv_heads.empty()) return heads;
    if (heads != shape.n_kv_heads) {
        fail(
            "per-layer KV heads: a sequence's bytes need heads = n_kv_heads (the whole model); "
            "per-GPU figures come from batchKvBytes");
    }
    return shape.kvHeadsOf(layer);
}

std::int64_t kvTokenBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t tp) {
    const char* what = "KV bytes per token over all layers";
    if (shape.uniformKv()) {
        return checkedMul(kvTokenLayerBytes(shape, spec, kvHeadsPerGpu(shape, tp)),
                          shape.nTokenLayers(), what);
    }
    std::int64_t total = 0;
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer) {
        if (!shape.holdsKv(layer)) continue;
        total = checkedAdd(
            total, kvTokenLayerBytes(shape, spec, kvHeadsPerGpuOf(shape, layer, tp), layer), what);
    }
    return total;
}

std::int64_t kvSequenceBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                             std::int64_t tokens) {
    std::int64_t total = 0;
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer) {
        total = checkedAdd(total,
                           kvLayerBytes(shape, spec, layer, layerHeads(shape, layer, heads),
                                        heldTokens(shape, layer, tokens)),
                           "KV bytes per sequence");
    }
    return total;
}

BatchKvBytes batchKvBytes(const ModelShape& shape, const CacheSpec& spec,
                          const Workload& workload) {
    checkKvInputs(shape, spec, workload);
    const std::int64_t t = workload.context;
    const std::int64_t b = workload.batch;
    const std::int64_t p = workload.shared_prefix;
    const std::int64_t block = spec.block_size;
    const std::int64_t reserve = spec.reserve_length > 0 ? spec.reserve_length : t;
    // kivi2 keys fill blocks only in groups of 32 tokens: no paged figures otherwise (0).
    const bool paged = spec.k_dtype != KvDtype::KIVI2 || block % kKvGroupSize == 0;
    BatchKvBytes out;
    out.state = checkedMul(b, stateBytesPerSequence(shape, workload.tp), "recurrent state bytes");
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer) {
        if (!shape.holdsKv(layer)) continue;
        const std::int64_t heads = kvHeadsPerGpuOf(shape, layer, workload.tp);
        const std::vector<RolePart> parts = roleParts(shape, spec, heads, layer);
        const std::int64_t block_bytes = kvBlockLayerBytes(shape, spec, heads, layer);
        const std::int64_t ring_bytes = kvRingLayerBytes(shape, spec, heads, layer);
        const auto bytes = [&](std::int64_t held) {
            return kvLayerBytes(shape, spec, layer, heads, held);
        };
        const auto add = [](std::int64_t& sum, std::int64_t term, const char* what) {
            sum = checkedAdd(sum, term, what);
        };
        const std::int64_t held = heldTokens(shape, layer, t);
        // Token-exact: a global layer stores the prefix once, the rest per sequence.
        const std::int64_t shared_tokens = shape.isLocal(layer) || shape.isChunked(layer) ? 0 : p;
        const std::int64_t shared = bytes(shared_tokens);
        add(out.shared, shared, "shared-prefix KV bytes");
        add(out.used,
            checkedAdd(shared, checkedMul(b, bytes(held) - shared, "KV bytes used"),
                       "KV bytes used"),
            "KV bytes used");
        // Contiguous: a region of `reserve` positions (the window in a local layer) each.
        add(out.contiguous,
            checkedMul(
                b,
                kvLayerReservedBytes(shape, spec, layer, heads, heldTokens(shape, layer, reserve)),
                "reserved KV"),
            "contiguous KV bytes");
        if (!paged) continue;
        // Paged: blocks hold the tokens older than the residual; full blocks of the prefix
        // (complete in every part) are shared.
        std::int64_t low_max = 0, low_min = held;
        for (const RolePart& part : parts) {
            low_max = std::max(low_max, lowTokens(part, held));
            low_min = std::min(low_min, lowTokens(part, held));
        }
        const std::int64_t shared_blocks = std::min(shared_tokens, low_min) / block;
        const std::int64_t unique = low_max - shared_blocks * block;
        const std::int64_t blocks = checkedAdd(
            shared_blocks, checkedMul(b, ceilDiv(unique, block), "KV blocks"), "KV blocks");
        std::int64_t stored_bytes = 0;  // bytes of the low tokens those blocks hold
        for (const RolePart& part : parts) {
            const std::int64_t shared_low = lowBytes(part, shared_blocks * block);
            const std::int64_t own = lowBytes(part, lowTokens(part, held)) - shared_low;
            stored_bytes = checkedAdd(
                stored_bytes, checkedAdd(shared_low, checkedMul(b, own, "KV bytes"), "KV bytes"),
                "KV bytes");
        }
        const std::int64_t block_total = checkedMul(blocks, block_bytes, "paged KV bytes");
        add(out.paged_blocks, blocks, "KV blocks");
        add(out.paged,
            checkedAdd(block_total, checkedMul(b, ring_bytes, "KV residual rings"),
                       "paged KV bytes"),
            "paged KV bytes");
        add(out.paged_waste, block_total - stored_bytes, "paged waste");
    }
    return out;
}

}  // namespace kvscope

#include "core/memory/kv_footprint.h"

#include <algorithm>
#include <string>

#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return a / b + (a % b != 0 ? 1 : 0);
}

bool isCrossAttention(const ModelShape& shape, std::int64_t layer) {
    return std::binary_search(shape.cross_attention_layers.begin(),
                              shape.cross_attention_layers.end(), layer);
}

bool isLocal(const ModelShape& shape, std::int64_t layer) {
    return shape.layer_is_local[std::size_t(layer)];
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
    if (spec.layout == KvLayout::Paged &&
        (spec.k_dtype == KvDtype::KIVI2 || spec.v_dtype == KvDtype::KIVI2)) {
        fail(
            "kivi2 is modelled for the contiguous layout only (its fp16 window moves across "
            "blocks)");
    }
    if (shape.n_heads % workload.tp != 0) {
        fail("tensor-parallel degree " + std::to_string(workload.tp) + " does not divide the " +
             std::to_string(shape.n_heads) + " query heads");
    }
    kvHeadsPerGpu(shape, workload.tp);
}

std::int64_t kvHeadsPerGpu(const ModelShape& shape, std::int64_t tp) {
    if (tp <= 0) fail("tensor-parallel degree must be > 0, got " + std::to_string(tp));
    const std::int64_t kv = shape.n_kv_heads;
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

std::int64_t heldTokens(const ModelShape& shape, std::int64_t layer, std::int64_t tokens) {
    if (isCrossAttention(shape, layer)) return 0;
    return isLocal(shape, layer) ? std::min(tokens, shape.sliding_window) : tokens;
}

std::int64_t kvLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t layer,
                          std::int64_t heads, std::int64_t held) {
    if (isCrossAttention(shape, layer)) return 0;
    const char* what = "KV bytes of one layer";
    if (shape.attention == AttentionKind::MLA) {
        return kvBytesForTokens(spec.k_dtype, KvRole::Value, kvValuesPerTokenPerLayer(shape), held,
                                spec.kivi_window);
    }
    const std::int64_t k =
        kvBytesForTokens(spec.k_dtype, KvRole::Key, shape.head_dim, held, spec.kivi_window);
    const std::int64_t v =
        kvBytesForTokens(spec.v_dtype, KvRole::Value, shape.v_head_dim, held, spec.kivi_window);
    return checkedMul(heads, checkedAdd(k, v, what), what);
}

std::int64_t kvTokenLayerBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads) {
    const char* what = "KV bytes per token and layer";
    if (shape.attention == AttentionKind::MLA) {
        return kvRowBytes(spec.k_dtype, kvValuesPerTokenPerLayer(shape));
    }
    return checkedMul(heads,
                      checkedAdd(kvRowBytes(spec.k_dtype, shape.head_dim),
                                 kvRowBytes(spec.v_dtype, shape.v_head_dim), what),
                      what);
}

std::int64_t kvSequenceBytes(const ModelShape& shape, const CacheSpec& spec, std::int64_t heads,
                             std::int64_t tokens) {
    std::int64_t total = 0;
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer) {
        total = checkedAdd(
            total, kvLayerBytes(shape, spec, layer, heads, heldTokens(shape, layer, tokens)),
            "KV bytes per sequence");
    }
    return total;
}

BatchKvBytes batchKvBytes(const ModelShape& shape, const CacheSpec& spec,
                          const Workload& workload) {
    checkKvInputs(shape, spec, workload);
    const std::int64_t heads = kvHeadsPerGpu(shape, workload.tp);
    const std::int64_t t = workload.context;
    const std::int64_t b = workload.batch;
    const std::int64_t p = workload.shared_prefix;
    const std::int64_t block = spec.block_size;
    const std::int64_t reserve = spec.reserve_length > 0 ? spec.reserve_length : t;
    const bool paged = spec.k_dtype != KvDtype::KIVI2 && spec.v_dtype != KvDtype::KIVI2;
    BatchKvBytes out;
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer) {
        if (isCrossAttention(shape, layer)) continue;
        const auto bytes = [&](std::int64_t held) {
            return kvLayerBytes(shape, spec, layer, heads, held);
        };
        const auto add = [](std::int64_t& sum, std::int64_t term, const char* what) {
            sum = checkedAdd(sum, term, what);
        };
        const std::int64_t held = heldTokens(shape, layer, t);
        // Token-exact: a global layer stores the prefix once, the rest per sequence.
        const std::int64_t shared_tokens = isLocal(shape, layer) ? 0 : p;
        const std::int64_t shared = bytes(shared_tokens);
        add(out.shared, shared, "shared-prefix KV bytes");
        add(out.used,
            checkedAdd(shared, checkedMul(b, bytes(held) - shared, "KV bytes used"),
                       "KV bytes used"),
            "KV bytes used");
        // Contiguous: a region of `reserve` positions (the window in a local layer) each.
        add(out.contiguous, checkedMul(b, bytes(heldTokens(shape, layer, reserve)), "reserved KV"),
            "contiguous KV bytes");
        if (!paged) continue;
        const std::int64_t shared_blocks = shared_tokens / block;
        const std::int64_t unique = held - shared_blocks * block;
        const std::int64_t blocks = checkedAdd(
            shared_blocks, checkedMul(b, ceilDiv(unique, block), "KV blocks"), "KV blocks");
        const std::int64_t stored =
            checkedAdd(shared_blocks * block, checkedMul(b, unique, "KV slots"), "KV slots");
        const std::int64_t slots = checkedMul(blocks, block, "KV block slots");
        add(out.paged_blocks, blocks, "KV blocks");
        add(out.paged, checkedMul(blocks, bytes(block), "paged KV bytes"), "paged KV bytes");
        add(out.paged_waste, checkedMul(slots - stored, bytes(1), "paged waste"), "paged waste");
    }
    return out;
}

}  // namespace kvscope

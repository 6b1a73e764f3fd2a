#include "core/memory/attention_variants.h"

namespace kvscope {

namespace {

std::string num(std::int64_t value) {
    return std::to_string(value);
}

/// `shape` with per-head K/V caching of `kv_heads` heads (MHA, GQA or MQA). An MLA model keeps
/// its head sizes (K qk_nope + qk_rope, V v_head_dim): what a cache of decompressed heads holds.
ModelShape withKvHeads(const ModelShape& shape, std::int64_t kv_heads, const std::string& note) {
    ModelShape out = shape;
    out.n_kv_heads = kv_heads;
    out.layer_kv_heads.clear();  // the variant gives every layer the same heads
    out.kv_lora_rank = 0;
    out.qk_rope_head_dim = 0;
    out.attention = attentionKindFromHeads(out.n_heads, kv_heads);
    out.setOrigin("n_kv_heads", "variant: " + note);
    out.setOrigin("attention", "variant: " + note);
    if (shape.attention == AttentionKind::MLA) {
        out.setOrigin("kv_lora_rank", "variant: per-head K/V, no latent");
        out.setOrigin("qk_rope_head_dim", "variant: per-head K/V, no latent");
    }
    return out;
}

ModelShape withLatent(const ModelShape& shape, const std::string& note) {
    ModelShape out = shape;
    out.attention = AttentionKind::MLA;
    out.layer_kv_heads.clear();
    out.layer_head_dim.clear();
    out.n_kv_heads = shape.n_heads;  // MLA: the heads the latent expands to
    out.kv_lora_rank = kVariantMlaLatent;
    out.qk_rope_head_dim = kVariantMlaRope;
    out.head_dim = shape.head_dim + kVariantMlaRope;  // qk_nope = the model's head_dim
    for (const char* field :
         {"attention", "n_kv_heads", "kv_lora_rank", "qk_rope_head_dim", "head_dim"}) {
        out.setOrigin(field, "variant: " + note);
    }
    return out;
}

}  // namespace

std::vector<AttentionVariantShape> attentionVariants(const ModelShape& shape) {
    shape.validate();
    std::vector<AttentionVariantShape> out;
    const std::string kind(toString(shape.attention));
    out.push_back(
        {"as-is (" + kind + ")", "as-is",
         "the model's own attention: " + kind + ", " + num(shape.n_kv_heads) + " KV heads", true,
         shape});
    const bool mla = shape.attention == AttentionKind::MLA;
    const auto addHeads = [&](std::string label, std::int64_t kv_heads, std::string note) {
        if (!mla && shape.n_kv_heads == kv_heads) return;  // the as-is row already shows it
        const std::string short_label = label;
        out.push_back(
            {std::move(label), short_label, note, false, withKvHeads(shape, kv_heads, note)});
    };
    addHeads("MHA", shape.n_heads,
             mla ? "MHA equivalent: the latent decompressed into " + num(shape.n_heads) +
                       " K/V heads per token"
                 : "one KV head per query head: n_kv_heads = n_heads = " + num(shape.n_heads));
    if (shape.n_heads > kVariantGqaHeads && shape.n_heads % kVariantGqaHeads == 0) {
        addHeads("GQA-8", kVariantGqaHeads,
                 num(shape.n_heads) + " query heads in groups of " +
                     num(shape.n_heads / kVariantGqaHeads) + " share 8 KV heads");
    }
    if (shape.n_heads > 1) {
        addHeads("MQA", 1, "all " + num(shape.n_heads) + " query heads share 1 KV head");
    }
    if (!mla) {
        const std::string note = "hypothetical DeepSeek-V2-like latent: kv_lora_rank " +
                                 num(kVariantMlaLatent) + " + qk_rope_head_dim " +
                                 num(kVariantMlaRope) + " values per token and layer";
        out.push_back({"MLA (512+64, hypothetical)", "MLA", note, false, withLatent(shape, note)});
    }
    for (const AttentionVariantShape& variant : out)
        variant.shape.validate();
    return out;
}

}  // namespace kvscope

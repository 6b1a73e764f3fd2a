#include "core/memory/hf_config.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "core/memory/hf_config_keys.h"
#include "core/memory/hf_hybrid_state.h"
#include "core/memory/hf_layer_pattern.h"
#include "core/memory/hf_weight_type.h"
#include "core/util/checked_math.h"

namespace kvscope {

namespace {

class HfConfigReader {
public:
    HfConfigReader(const JsonValue& root, std::string_view source, std::string fallback_name)
        : m_keys(root, source), m_fallback_name(std::move(fallback_name)) {}

    ModelShape read() {
        m_shape.source = m_keys.source();
        m_shape.setOrigin("source", "the config read");
        readName();
        readWidths();
        if (m_keys.find({"kv_lora_rank"})) {
            readMlaHeads();
        } else {
            readHeadDims();
        }
        readKvHeads();
        readContextVocabAndFeedForward();
        readSlidingWindows(m_keys, keyOf("n_layers"), m_shape);
        readChunkedAttention(m_keys, m_shape);
        readCrossAttentionLayers(m_keys, m_shape);
        readWeightType(m_keys, m_shape);
        readRecurrentState(m_keys, m_shape);
        checkByteTotals();
        m_shape.validate();  // consistency of the assembled shape; the checks above name keys
        return std::move(m_shape);
    }

private:
    /// Stores `sized` into `member` and records its origin under `field`.
    void set(std::int64_t& member, std::string_view field, const ConfigSize& sized) {
        member = sized.value;
        m_key_of[std::string(field)] = sized.key;
        m_shape.setOrigin(field, sized.origin);
    }

    void derive(std::int64_t& member, std::string_view field, std::int64_t value, std::string key,
                std::string origin) {
        set(member, field, ConfigSize{value, std::move(key), std::move(origin)});
    }

    const std::string& keyOf(const std::string& field) const { return m_key_of.at(field); }

    void readName() {
        const ConfigKey key = m_keys.findAtTop({"_name_or_path"});
        if (key && key.value->isString() && !key.value->asString().empty()) {
            m_shape.name = key.value->asString();
            m_shape.setOrigin("name", "config.json key '_name_or_path'");
        } else {
            m_shape.name = m_fallback_name;
            m_shape.setOrigin("name",
                              "the config's file name (config.json has no '_name_or_path')");
        }
    }

    void readWidths() {
        // OpenELM's names are tried last, so that a message about a missing key lists the usual
        // names only.
        std::optional<ConfigSize> layers =
            m_keys.size({"num_hidden_layers", "n_layer", "num_layers", "n_layers"});
        if (!layers) layers = m_keys.size({"num_transformer_layers"});
        set(m_shape.n_layers, "n_layers",
            layers
                ? *layers
                : m_keys.requireSize({"num_hidden_layers", "n_layer", "num_layers", "n_layers"}));
        if (m_shape.n_layers > kMaxHfConfigLayers) {
            m_keys.fail(keyOf("n_layers") + " = " + std::to_string(m_shape.n_layers) +
                        " is more than the " + std::to_string(kMaxHfConfigLayers) +
                        " layers this reader accepts");
        }
        std::optional<ConfigSize> width = m_keys.size({"hidden_size", "n_embd", "d_model"});
        if (!width) width = m_keys.size({"model_dim"});
        set(m_shape.d_model, "d_model",
            width ? *width : m_keys.requireSize({"hidden_size", "n_embd", "d_model"}));
        if (const std::optional<ConfigSize> listed = perLayer(
                {"num_attention_heads", "n_head", "n_heads", "num_query_heads"}, &m_layer_heads)) {
            set(m_shape.n_heads, "n_heads", *listed);
        } else {
            set(m_shape.n_heads, "n_heads",
                m_keys.requireSize({"num_attention_heads", "n_head", "n_heads"}));
        }
    }

    /// The first of `aliases` when it is a list of one positive integer per layer: fills `list`
    /// (cleared again when every entry is the same) and returns its largest entry, with origin.
    /// nullopt when the key is absent or not a list.
    std::optional<ConfigSize> perLayer(std::initializer_list<std::string_view> aliases,
                                       std::vector<std::int64_t>* list) const {
        const ConfigKey key = m_keys.find(aliases);
        if (!key || !key.value->isArray()) return std::nullopt;
        const JsonItems items = key.value->items();
        if (std::int64_t(items.size()) != m_shape.n_layers) {
            key.value->fail("has " + std::to_string(items.size()) + " entries but " +
                            keyOf("n_layers") + " is " + std::to_string(m_shape.n_layers));
        }
        list->clear();
        std::int64_t largest = 0;
        for (const JsonValue& item : items) {
            const std::int64_t value = item.asInt64();
            if (value < 1) item.fail("must be a positive integer, got " + std::to_string(value));
            list->push_back(value);
            largest = std::max(largest, value);
        }
        const bool uniform = std::all_of(list->begin(), list->end(),
                                         [&](std::int64_t v) { return v == list->front(); });
        if (uniform) list->clear();
        return ConfigSize{
            largest, key.name,
            "config.json key " + singleQuoted(key.name) +
                (uniform ? " (the same for every layer)"
                         : ": one per layer, the largest " + std::to_string(largest) + " here")};
    }

    /// DeepSeek V2/V3 multi-head latent attention. Any head_dim key is ignored: transformers'
    /// DeepseekV3Config sets head_dim to qk_rope_head_dim, which is not the K head size.
    void readMlaHeads() {
        m_shape.attention = AttentionKind::MLA;
        set(m_shape.kv_lora_rank, "kv_lora_rank", m_keys.requireSize({"kv_lora_rank"}));
        set(m_shape.qk_rope_head_dim, "qk_rope_head_dim", m_keys.requireSize({"qk_rope_head_dim"}));
        const ConfigSize nope = m_keys.requireSize({"qk_nope_head_dim"});
        const std::int64_t k_head =
            checkedAdd(nope.value, m_shape.qk_rope_head_dim,
                       "HF config " + m_keys.source() + ": qk_nope_head_dim + qk_rope_head_dim");
        derive(m_shape.head_dim, "head_dim", k_head, nope.key,
               "derived: MLA K head = qk_nope_head_dim + qk_rope_head_dim = " +
                   std::to_string(nope.value) + " + " + std::to_string(m_shape.qk_rope_head_dim));
        set(m_shape.v_head_dim, "v_head_dim", m_keys.requireSize({"v_head_dim"}));
        m_shape.setOrigin("attention", "config.json key " +
                                           singleQuoted(m_keys.qualified("kv_lora_rank")) +
                                           " present: MLA (multi-head latent attention)");
    }

    void readHeadDims() {
        m_shape.setOrigin("kv_lora_rank", "config.json: no 'kv_lora_rank', not MLA");
        m_shape.setOrigin("qk_rope_head_dim", "config.json: no 'kv_lora_rank', not MLA");
        if (const std::optional<ConfigSize> listed =
                perLayer({"head_dim"}, &m_shape.layer_head_dim)) {
            set(m_shape.head_dim, "head_dim", *listed);
            if (!m_shape.layer_head_dim.empty()) {
                m_shape.setOrigin("layer_head_dim", listed->origin);
                if (m_keys.find({"v_head_dim"})) {
                    m_keys.fail("contradictory keys: a per-layer head_dim list and v_head_dim");
                }
            }
        } else if (const std::optional<ConfigSize> head = m_keys.size({"head_dim"})) {
            set(m_shape.head_dim, "head_dim", *head);
        } else {
            const std::string& width = keyOf("d_model");
            const std::string& heads = keyOf("n_heads");
            if (m_shape.d_model % m_shape.n_heads != 0) {
                m_keys.fail(width + " " + std::to_string(m_shape.d_model) +
                            " is not divisible by " + heads + " " +
                            std::to_string(m_shape.n_heads) +
                            ", so head_dim cannot be derived (the config has no 'head_dim' key)");
            }
            derive(m_shape.head_dim, "head_dim", m_shape.d_model / m_shape.n_heads, width,
                   "derived: " + width + " / " + heads + " = " + std::to_string(m_shape.d_model) +
                       " / " + std::to_string(m_shape.n_heads));
        }
        if (const std::optional<ConfigSize> v_head = m_keys.size({"v_head_dim"})) {
            set(m_shape.v_head_dim, "v_head_dim", *v_head);
        } else {
            derive(m_shape.v_head_dim, "v_head_dim", m_shape.head_dim, keyOf("head_dim"),
                   "same as head_dim (config.json has no 'v_head_dim')");
        }
    }

    /// Falcon: new_decoder_architecture uses num_kv_heads; otherwise multi_query means one KV head
    /// (and num_kv_heads, which some Falcon configs carry, is ignored, as FalconAttention does).
    std::optional<ConfigSize> falconKvHeads() const {
        if (m_keys.flag("new_decoder_architecture")) {
            if (std::optional<ConfigSize> kv = m_keys.size({"num_kv_heads"})) return kv;
            return ConfigSize{
                m_shape.n_heads, keyOf("n_heads"),
                "config.json: new_decoder_architecture without num_kv_heads, MHA assumed "
                "(FalconConfig's default)"};
        }
        if (m_keys.flag("multi_query")) {
            return ConfigSize{1, m_keys.qualified("multi_query"),
                              "config.json key " + singleQuoted(m_keys.qualified("multi_query")) +
                                  " = true: one KV head shared by all query heads"};
        }
        if (!m_keys.find({"new_decoder_architecture"})) return m_keys.size({"num_kv_heads"});
        return std::nullopt;
    }

    void readKvHeads() {
        std::optional<ConfigSize> kv =
            perLayer({"num_key_value_heads", "num_kv_heads"}, &m_shape.layer_kv_heads);
        if (kv && !m_shape.layer_kv_heads.empty()) {
            if (m_shape.attention == AttentionKind::MLA) {
                m_keys.fail("contradictory keys: per-layer " + kv->key + " and MLA's kv_lora_rank");
            }
            m_shape.setOrigin("layer_kv_heads", kv->origin);
            checkLayerHeads(kv->key);
        }
        if (!kv) kv = m_keys.size({"num_key_value_heads"});
        if (!kv) kv = falconKvHeads();
        if (!kv) {
            const std::string& heads = keyOf("n_heads");
            kv = ConfigSize{m_shape.n_heads, heads,
                            "config.json: absent, MHA assumed (n_kv_heads = " + heads + " = " +
                                std::to_string(m_shape.n_heads) + ")"};
        }
        set(m_shape.n_kv_heads, "n_kv_heads", *kv);
        if (m_shape.attention == AttentionKind::MLA) return;
        if (m_shape.n_heads % m_shape.n_kv_heads != 0) {
            m_keys.fail(keyOf("n_heads") + " " + std::to_string(m_shape.n_heads) +
                        " is not divisible by " + keyOf("n_kv_heads") + " " +
                        std::to_string(m_shape.n_kv_heads) +
                        " (each KV head must serve the same number of query heads)");
        }
        m_shape.attention = attentionKindFromHeads(m_shape.n_heads, m_shape.n_kv_heads);
        m_shape.setOrigin("attention", "derived from " + std::to_string(m_shape.n_heads) +
                                           " query heads and " +
                                           std::to_string(m_shape.n_kv_heads) + " KV heads");
    }

    /// Each layer's query heads must be a multiple of its KV heads.
    void checkLayerHeads(const std::string& kv_key) const {
        for (std::size_t i = 0; i < m_shape.layer_kv_heads.size(); ++i) {
            const std::int64_t q = m_layer_heads.empty() ? m_shape.n_heads : m_layer_heads[i];
            const std::int64_t kv = m_shape.layer_kv_heads[i];
            if (q % kv != 0) {
                m_keys.fail("layer " + std::to_string(i) + ": " + std::to_string(q) +
                            " query heads are not divisible by " + kv_key + "[" +
                            std::to_string(i) + "] = " + std::to_string(kv));
            }
        }
    }

    void readContextVocabAndFeedForward() {
        set(m_shape.vocab, "vocab",
            m_keys.requireSize({"vocab_size", "padded_vocab_size", "n_vocab"}));
        if (const auto context =
                m_keys.size({"max_position_embeddings", "n_positions", "n_ctx", "seq_length",
                             "max_sequence_length", "max_context_length"})) {
            set(m_shape.max_context, "max_context", *context);
        } else {
            m_shape.setOrigin("max_context", "config.json: absent, unknown");
        }
        if (const auto d_ff = m_keys.size({"intermediate_size", "n_inner", "ffn_hidden_size"})) {
            set(m_shape.d_ff, "d_ff", *d_ff);
            return;
        }
        const std::string& type = m_keys.modelType();
        if (type == "gpt2" || type == "falcon") {  // their MLPs default to 4 x the width
            const std::string& width = keyOf("d_model");
            const std::int64_t d_ff =
                checkedMul(4, m_shape.d_model, "HF config " + m_keys.source() + ": 4 * " + width);
            derive(m_shape.d_ff, "d_ff", d_ff, width,
                   "derived: 4 * " + width + " = 4 * " + std::to_string(m_shape.d_model) + " (" +
                       type + " default when no intermediate size is given)");
        } else {
            m_shape.setOrigin("d_ff", "config.json: absent, unknown");
        }
    }

    void checkByteTotals() const;

    ConfigKeys m_keys;
    std::string m_fallback_name;
    ModelShape m_shape;
    std::map<std::string, std::string> m_key_of;  // ModelShape field -> config key it came from
    std::vector<std::int64_t> m_layer_heads;      // per-layer query heads; empty = uniform
};

/// The byte totals the estimator will form must be representable in 64 bits; names the keys.
void HfConfigReader::checkByteTotals() const {
    const std::string prefix = "HF config " + m_keys.source() + ": ";
    const auto from = [&](std::initializer_list<const char*> fields) {
        std::vector<std::string> keys;
        for (const char* field : fields) {
            const auto it = m_key_of.find(field);
            if (it == m_key_of.end()) continue;
            if (std::find(keys.begin(), keys.end(), it->second) == keys.end()) {
                keys.push_back(it->second);
            }
        }
        std::string text = " (from ";
        for (std::size_t i = 0; i < keys.size(); ++i)
            text += (i ? ", " : "") + keys[i];
        return text + ")";
    };
    const std::string kv_what = prefix + "fp32 KV cache bytes at the maximum context" +
                                from({"n_layers", "n_kv_heads", "head_dim", "v_head_dim",
                                      "kv_lora_rank", "qk_rope_head_dim", "max_context"});
    const std::int64_t per_layer =
        m_shape.attention == AttentionKind::MLA
            ? checkedAdd(m_shape.kv_lora_rank, m_shape.qk_rope_head_dim, kv_what)
            : checkedMul(m_shape.n_kv_heads,
                         checkedAdd(m_shape.head_dim, m_shape.v_head_dim, kv_what), kv_what);
    const std::int64_t per_token =
        checkedMul(checkedMul(per_layer, m_shape.n_layers, kv_what), 4, kv_what);
    checkedMul(per_token, std::max<std::int64_t>(m_shape.max_context, 1), kv_what);
    const std::string embd_what = prefix + "fp32 embedding bytes" + from({"vocab", "d_model"});
    checkedMul(checkedMul(m_shape.vocab, m_shape.d_model, embd_what), 4, embd_what);
    const std::string attn_what = prefix + "fp32 attention weight bytes" +
                                  from({"n_heads", "head_dim", "d_model", "n_layers"});
    const std::int64_t q_dim = checkedMul(m_shape.n_heads, m_shape.head_dim, attn_what);
    checkedMul(checkedMul(checkedMul(q_dim, m_shape.d_model, attn_what), 16, attn_what),
               m_shape.n_layers, attn_what);
    const std::string ffn_what =
        prefix + "fp32 feed-forward weight bytes" + from({"d_ff", "d_model", "n_layers"});
    checkedMul(checkedMul(checkedMul(m_shape.d_ff, m_shape.d_model, ffn_what), 12, ffn_what),
               m_shape.n_layers, ffn_what);
}

std::string nameFromPath(const std::string& path) {
    const std::filesystem::path file(path);
    if (file.filename() == "config.json") {
        std::error_code error;
        const std::filesystem::path folder = std::filesystem::absolute(file, error).parent_path();
        if (!error && !folder.filename().empty()) return folder.filename().string();
    }
    return file.stem().string();
}

}  // namespace

ModelShape readHfConfig(const JsonValue& root, std::string_view source) {
    return HfConfigReader(root, source, std::string(source)).read();
}

ModelShape readHfConfigFile(const std::string& path) {
    return readHfConfigFile(parseJsonFile(path, kMaxHfConfigBytes), path);
}

ModelShape readHfConfigFile(const JsonValue& root, const std::string& path) {
    return HfConfigReader(root, path, nameFromPath(path)).read();
}

}  // namespace kvscope

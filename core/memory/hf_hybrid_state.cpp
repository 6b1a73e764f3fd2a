#include "core/memory/hf_hybrid_state.h"

#include <string>
#include <vector>

#include "core/util/checked_math.h"

namespace kvscope {

namespace {

std::string num(std::int64_t value) {
    return std::to_string(value);
}

/// Marks the chunked layers, each with its origin, unless a layer is already local.
void setChunked(const ConfigKeys& keys, ModelShape& shape, const std::vector<bool>& chunked,
                const std::string& origin) {
    shape.chunked_layers.clear();
    for (std::int64_t i = 0; i < shape.n_layers; ++i) {
        if (!chunked[std::size_t(i)] || shape.isKvFree(i)) continue;
        if (shape.isLocal(i)) {
            keys.fail("contradictory keys: layer " + num(i) +
                      " is a sliding-window layer and a chunked-attention layer (" + origin + ")");
        }
        shape.chunked_layers.push_back(i);
    }
    shape.setOrigin("chunked_layers", origin);
}

}  // namespace

void readChunkedAttention(const ConfigKeys& keys, ModelShape& shape) {
    const std::optional<ConfigSize> chunk = keys.size({"attention_chunk_size"});
    if (!chunk) {
        if (!shape.chunked_layers.empty()) {
            keys.fail(
                "layer_types lists chunked_attention layers but attention_chunk_size is "
                "absent or null");
        }
        shape.setOrigin("attention_chunk", "config.json: no 'attention_chunk_size'");
        return;
    }
    shape.attention_chunk = chunk->value;
    shape.setOrigin("attention_chunk", chunk->origin);
    if (!shape.chunked_layers.empty()) return;  // layer_types said which
    const std::size_t n = std::size_t(shape.n_layers);
    std::vector<bool> chunked(n, false);
    const ConfigKey flags = keys.find({"no_rope_layers"});
    if (flags && !flags.value->items().empty()) {
        const JsonItems items = flags.value->items();
        if (items.size() != n) {
            flags.value->fail("has " + num(std::int64_t(items.size())) + " entries for " +
                              num(shape.n_layers) + " layers");
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t flag = items[i].asInt64();
            if (flag != 0 && flag != 1) items[i].fail("must be 0 or 1, got " + num(flag));
            chunked[i] = flag == 1;
        }
        setChunked(keys, shape, chunked,
                   "config.json key " + singleQuoted(flags.name) +
                       ": 1 = the layer uses RoPE = chunked, 0 = NoPE global layer");
        return;
    }
    std::optional<ConfigSize> interval = keys.size({"no_rope_layer_interval"});
    if (!interval && keys.modelType() == "llama4_text") {
        interval = ConfigSize{4, keys.qualified("no_rope_layer_interval"),
                              "transformers Llama4TextConfig default 4 (config.json has no " +
                                  singleQuoted(keys.qualified("no_rope_layer_interval")) + ")"};
    }
    if (!interval) {
        keys.failMissing({"no_rope_layers", "no_rope_layer_interval"},
                         "attention_chunk_size needs to know which layers are chunked");
    }
    for (std::size_t i = 0; i < n; ++i)
        chunked[i] = (std::int64_t(i) + 1) % interval->value != 0;
    setChunked(keys, shape, chunked,
               interval->origin + " = " + num(interval->value) + ": every " + num(interval->value) +
                   "th layer is a NoPE global layer, the others chunked");
}

namespace {

class StateReader {
public:
    StateReader(const ConfigKeys& keys, ModelShape& shape) : m_keys(keys), m_shape(shape) {}

    /// A size the state needs; throws naming the key when it is missing.
    std::int64_t need(std::string_view key) {
        const std::optional<ConfigSize> size = m_keys.size({key});
        if (!size) {
            const std::string missing = "missing " + singleQuoted(m_keys.qualified(key));
            const ConfigKey types = m_keys.find({"layer_types"});
            if (types && types.value->isArray()) {
                // Name the entry that asks for a state the config does not size.
                const JsonValue& item =
                    types.value->items().at(std::size_t(m_shape.state_layers.front()));
                item.fail("unsupported layer type " + singleQuoted(item.asString()) +
                          " without its state sizes: " + missing);
            }
            m_keys.failMissing({key}, "the " + m_shape.state.kind + " layers' state size (" +
                                          std::string(m_shape.origin("state_layers")) +
                                          ") needs it");
        }
        m_shape.state.sources.push_back(size->key + " = " + num(size->value) + " (" + size->origin +
                                        ")");
        return size->value;
    }

    std::int64_t mul(std::int64_t a, std::int64_t b) {
        return checkedMul(a, b, "HF config " + m_keys.source() + ": recurrent state size");
    }
    std::int64_t add(std::int64_t a, std::int64_t b) {
        return checkedAdd(a, b, "HF config " + m_keys.source() + ": recurrent state size");
    }

    void gatedDeltaNet() {
        RecurrentState& st = m_shape.state;
        st.kind = "gated DeltaNet (linear attention)";
        const std::int64_t kernel = need("linear_conv_kernel_dim");
        const std::int64_t nk = need("linear_num_key_heads");
        const std::int64_t dk = need("linear_key_head_dim");
        const std::int64_t nv = need("linear_num_value_heads");
        const std::int64_t dv = need("linear_value_head_dim");
        const std::int64_t conv_dim = add(mul(2, mul(nk, dk)), mul(nv, dv));
        st.conv_values = mul(kernel - 1, conv_dim);
        st.conv_formula = "(kernel " + num(kernel) + " - 1) x conv_dim (2 x " + num(nk) + " x " +
                          num(dk) + " + " + num(nv) + " x " + num(dv) + " = " + num(conv_dim) + ")";
        st.ssm_values = mul(nv, mul(dk, dv));
        st.ssm_formula = num(nv) + " value heads x " + num(dk) + " x " + num(dv);
    }

    void shortConv() {
        RecurrentState& st = m_shape.state;
        st.kind = "short convolution";
        const std::int64_t cache = need("conv_L_cache");
        st.conv_values = mul(cache - 1, m_shape.d_model);
        st.conv_formula =
            "(conv_L_cache " + num(cache) + " - 1) x hidden_size " + num(m_shape.d_model);
        st.sources.push_back("hidden_size = " + num(m_shape.d_model));
        st.ssm_values = 0;
    }

    void mamba1() {
        RecurrentState& st = m_shape.state;
        st.kind = "Mamba";
        const std::int64_t kernel = need("mamba_d_conv");
        const std::int64_t expand = need("mamba_expand");
        const std::int64_t state = need("mamba_d_state");
        const std::int64_t inner = mul(expand, m_shape.d_model);
        st.conv_values = mul(kernel - 1, inner);
        st.conv_formula = "(mamba_d_conv " + num(kernel) + " - 1) x inner " + num(inner) +
                          " (mamba_expand " + num(expand) + " x hidden_size " +
                          num(m_shape.d_model) + ")";
        st.ssm_values = mul(inner, state);
        st.ssm_formula = "inner " + num(inner) + " x mamba_d_state " + num(state);
    }

    void mamba2() {
        RecurrentState& st = m_shape.state;
        st.kind = "Mamba-2";
        const std::int64_t kernel = need("mamba_d_conv");
        const std::int64_t heads = need("mamba_n_heads");
        const std::int64_t head = need("mamba_d_head");
        const std::int64_t state = need("mamba_d_state");
        std::int64_t groups = 1;
        if (m_keys.find({"mamba_n_groups"})) groups = need("mamba_n_groups");
        std::int64_t inner = 0;
        std::string inner_text;
        if (m_keys.find({"mamba_d_ssm"})) {
            inner = need("mamba_d_ssm");
            inner_text = "mamba_d_ssm " + num(inner);
        } else {
            const std::int64_t expand = need("mamba_expand");
            inner = mul(expand, m_shape.d_model);
            inner_text = "mamba_expand " + num(expand) + " x hidden_size " + num(m_shape.d_model);
            if (inner != mul(heads, head)) {
                m_keys.fail("contradictory keys: mamba_expand x hidden_size = " + num(inner) +
                            " but mamba_n_heads x mamba_d_head = " + num(mul(heads, head)));
            }
        }
        const std::int64_t conv_dim = add(inner, mul(2, mul(groups, state)));
        st.conv_values = mul(kernel - 1, conv_dim);
        st.conv_formula = "(mamba_d_conv " + num(kernel) + " - 1) x conv_dim (" + inner_text +
                          " + 2 x " + num(groups) + " groups x " + num(state) + " = " +
                          num(conv_dim) + ")";
        st.ssm_values = mul(heads, mul(head, state));
        st.ssm_formula = num(heads) + " heads x " + num(head) + " x mamba_d_state " + num(state);
    }

    void dtype() {
        RecurrentState& st = m_shape.state;
        if (m_shape.weight_dtype == "float32") {
            st.dtype_bytes = 4;
            st.dtype_origin = "the model dtype float32 (vLLM's mamba_ssm_cache_dtype 'auto')";
        } else if (!m_shape.weight_dtype.empty()) {
            st.dtype_bytes = 2;
            st.dtype_origin = "the model dtype " + m_shape.weight_dtype +
                              " (vLLM's mamba_ssm_cache_dtype 'auto')";
        } else {
            st.dtype_bytes = 2;
            st.dtype_origin = "16-bit assumed: the config names no dtype";
        }
    }

private:
    const ConfigKeys& m_keys;
    ModelShape& m_shape;
};

}  // namespace

void readRecurrentState(const ConfigKeys& keys, ModelShape& shape) {
    if (shape.state_layers.empty()) {
        shape.state = RecurrentState{};
        shape.setOrigin("state", "no recurrent layer");
        return;
    }
    StateReader read(keys, shape);
    const std::string type = shape.state.kind;
    if (type == "linear_attention") {
        read.gatedDeltaNet();
    } else if (type == "conv") {
        read.shortConv();
    } else if (keys.modelType() == "jamba") {
        read.mamba1();
    } else {
        read.mamba2();
    }
    read.dtype();
    shape.setOrigin("state", "config.json: " + shape.state.kind + " sizes");
}

}  // namespace kvscope

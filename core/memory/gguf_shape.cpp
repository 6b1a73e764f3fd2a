#include "core/memory/gguf_shape.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <vector>

#include "core/memory/hf_config_keys.h"
#include "core/model/gguf_architecture.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

std::string num(std::int64_t value) {
    return std::to_string(value);
}

class GgufShapeReader {
public:
    explicit GgufShapeReader(const GgufFile& file) : m_file(file) {
        const std::optional<std::string> arch = file.findString("general.architecture");
        if (!arch) fail("missing key 'general.architecture'");
        m_arch = *arch;
        m_prefix = m_arch + ".";
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw InputError("GGUF " + m_file.path() + ": " + what);
    }

    std::string key(const std::string& name) const { return m_prefix + name; }

    std::optional<std::int64_t> size(const std::string& name) const {
        const std::string k = key(name);
        if (!m_file.findEntry(k)) return std::nullopt;
        const std::optional<std::uint64_t> value = m_file.findUint(k);
        if (!value || *value == 0 ||
            *value > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
            m_file.failAtKey(k, "is not a usable size (> 0)");
        return std::int64_t(*value);
    }

    std::int64_t need(const std::string& name) const {
        const std::optional<std::int64_t> value = size(name);
        if (!value) fail("missing key '" + key(name) + "'");
        return *value;
    }

    /// A scalar or a per-layer array (entries >= 0); the array's entries, or n copies.
    std::vector<std::int64_t> perLayer(const std::string& name, std::int64_t n,
                                       std::optional<std::int64_t> fallback) const {
        const std::string k = key(name);
        const GgufMetadataEntry* entry = m_file.findEntry(k);
        if (!entry) {
            if (!fallback) fail("missing key '" + k + "'");
            return std::vector<std::int64_t>(std::size_t(n), *fallback);
        }
        if (entry->type != GgufType::Array) {
            return std::vector<std::int64_t>(std::size_t(n), need(name));
        }
        std::vector<std::int64_t> values = *m_file.findIntArray(k);
        if (std::int64_t(values.size()) != n) {
            m_file.failAtKey(k, "has " + num(std::int64_t(values.size())) + " entries for " +
                                    num(n) + " layers");
        }
        for (std::int64_t v : values) {
            if (v < 0) m_file.failAtKey(k, "has a negative entry");
        }
        return values;
    }

    ModelFileShape read() {
        ModelFileShape out;
        ModelShape& s = out.shape;
        const std::string from = "GGUF key ";
        const auto origin = [&](const std::string& name) { return from + singleQuoted(key(name)); };
        const std::optional<std::string> general = m_file.findString("general.name");
        s.name = general && !general->empty() ? *general : m_file.path();
        s.source = "GGUF " + m_file.path();
        s.setOrigin("name", general ? "GGUF key 'general.name'" : "the file name");
        s.setOrigin("source", "the file read");
        s.n_layers = need("block_count");
        s.setOrigin("n_layers", origin("block_count"));
        if (s.n_layers > 65536) m_file.failAtKey(key("block_count"), "is more than 65536 layers");
        s.d_model = need("embedding_length");
        s.setOrigin("d_model", origin("embedding_length"));
        const std::vector<std::int64_t> heads =
            perLayer("attention.head_count", s.n_layers, std::nullopt);
        const std::vector<std::int64_t> kv =
            perLayer("attention.head_count_kv", s.n_layers, std::nullopt);
        s.n_heads = *std::max_element(heads.begin(), heads.end());
        s.setOrigin("n_heads", origin("attention.head_count"));
        if (s.n_heads <= 0) m_file.failAtKey(key("attention.head_count"), "has no head");
        s.head_dim = size("attention.key_length").value_or(0);
        if (s.head_dim == 0) {
            if (s.d_model % s.n_heads != 0) {
                m_file.failAtKey(key("attention.head_count"),
                                 "embedding_length is not divisible by head_count");
            }
            s.head_dim = s.d_model / s.n_heads;
            s.setOrigin("head_dim", "derived: embedding_length / head_count");
        } else {
            s.setOrigin("head_dim", origin("attention.key_length"));
        }
        s.v_head_dim = size("attention.value_length").value_or(s.head_dim);
        s.setOrigin("v_head_dim", m_file.findEntry(key("attention.value_length"))
                                      ? origin("attention.value_length")
                                      : "same as head_dim");
        s.setOrigin("kv_lora_rank", "GGUF: not MLA");
        s.setOrigin("qk_rope_head_dim", "GGUF: not MLA");
        s.max_context = need("context_length");
        s.setOrigin("max_context", origin("context_length"));
        s.vocab = readVocab();
        s.setOrigin("vocab", "GGUF tokenizer.ggml.tokens, else <arch>.vocab_size");
        if (const GgufMetadataEntry* ff = m_file.findEntry(key("feed_forward_length"))) {
            const std::vector<std::int64_t> d_ff = perLayer("feed_forward_length", s.n_layers, 0);
            s.d_ff = *std::max_element(d_ff.begin(), d_ff.end());
            s.setOrigin("d_ff", origin("feed_forward_length"));
            (void)ff;
        }
        s.setOrigin("weight_bits", "GGUF: unknown (tensor types vary)");
        s.setOrigin("cross_attention_layers", "GGUF: none");
        readLayers(s, heads, kv);
        readWindows(s);
        readState(s);
        s.attention = attentionKindFromHeads(s.n_heads, s.n_kv_heads);
        s.setOrigin("attention", "derived from the head counts");
        s.validate();
        out.layout = {m_file.findTensor("output.weight") == nullptr, 3,
                      "tied output and gated FFN from GGUF " + m_file.path()};
        return out;
    }

private:
    std::int64_t readVocab() const {
        if (const GgufMetadataEntry* tokens = m_file.findEntry("tokenizer.ggml.tokens")) {
            return tokens->count;
        }
        if (const std::optional<std::int64_t> v = size("vocab_size")) return *v;
        fail("cannot tell the vocabulary size (no tokenizer.ggml.tokens)");
    }

    void readLayers(ModelShape& s, const std::vector<std::int64_t>& heads,
                    const std::vector<std::int64_t>& kv) const {
        const std::string kv_key = key("attention.head_count_kv");
        std::vector<std::int64_t> attention_kv;
        // Which layers have no attention.
        std::vector<bool> stateful(std::size_t(s.n_layers), false);
        std::string rule;
        if (m_arch == "qwen3next") {
            const std::int64_t interval = size("full_attention_interval").value_or(4);
            for (std::int64_t i = 0; i < s.n_layers; ++i)
                stateful[std::size_t(i)] = (i + 1) % interval != 0;
            rule = m_file.findEntry(key("full_attention_interval"))
                       ? "GGUF key '" + key("full_attention_interval") + "' = " + num(interval)
                       : "llama.cpp's default full_attention_interval 4 (the key is absent)";
            rule += ": layer i is attention when (i + 1) % " + num(interval) + " == 0";
        } else if (m_arch == "falcon-h1") {
            rule = "llama.cpp's rule for falcon-h1: every layer has attention and Mamba-2";
        } else {
            for (std::int64_t i = 0; i < s.n_layers; ++i)
                stateful[std::size_t(i)] = kv[std::size_t(i)] == 0;
            rule = "GGUF key '" + kv_key + "': layers with 0 KV heads have no attention";
        }
        for (std::int64_t i = 0; i < s.n_layers; ++i) {
            const std::size_t at = std::size_t(i);
            if (stateful[at]) {
                s.kv_free_layers.push_back(i);
                s.state_layers.push_back(i);
            } else {
                if (kv[at] == 0)
                    fail("layer " + num(i) + " is an attention layer with 0 KV heads ('" + kv_key +
                         "')");
                if (heads[at] % kv[at] != 0) {
                    fail("layer " + num(i) + ": head_count " + num(heads[at]) +
                         " is not divisible by head_count_kv " + num(kv[at]));
                }
                attention_kv.push_back(kv[at]);
            }
        }
        if (m_arch == "falcon-h1") {
            for (std::int64_t i = 0; i < s.n_layers; ++i)
                s.state_layers.push_back(i);
        }
        if (attention_kv.empty()) fail("no layer has attention ('" + kv_key + "')");
        s.n_kv_heads = *std::max_element(attention_kv.begin(), attention_kv.end());
        s.setOrigin("n_kv_heads", "GGUF key " + singleQuoted(kv_key));
        const bool uniform = std::all_of(attention_kv.begin(), attention_kv.end(),
                                         [&](std::int64_t h) { return h == s.n_kv_heads; });
        if (!uniform) {
            for (std::int64_t i = 0; i < s.n_layers; ++i)
                s.layer_kv_heads.push_back(kv[std::size_t(i)] > 0 ? kv[std::size_t(i)] : 1);
            s.setOrigin("layer_kv_heads", "GGUF key '" + kv_key + "' (an array, one per layer)");
        }
        if (!s.kv_free_layers.empty()) s.setOrigin("kv_free_layers", rule);
        if (!s.state_layers.empty()) s.setOrigin("state_layers", rule);
    }

    void readWindows(ModelShape& s) const {
        s.layer_is_local.assign(std::size_t(s.n_layers), false);
        s.setOrigin("layer_is_local", "GGUF: no sliding window");
        s.setOrigin("sliding_window", "GGUF: no sliding window");
        std::int64_t pattern = 0;
        if (m_arch == "gemma2" || m_arch == "gpt-oss") pattern = 2;
        if (m_arch == "gemma3") pattern = 6;
        if (m_arch == "llama4") {
            // llama.cpp: hparams.n_attn_chunk = 8192 and set_swa_pattern(4) for llama4.
            s.attention_chunk = 8192;
            s.setOrigin("attention_chunk", "llama.cpp's constant for llama4 (n_attn_chunk 8192)");
            for (std::int64_t i = 0; i < s.n_layers; ++i) {
                if (i % 4 < 3) s.chunked_layers.push_back(i);
            }
            s.setOrigin("chunked_layers",
                        "llama.cpp's rule for llama4 (set_swa_pattern(4)): 3 chunked, 1 global");
            return;
        }
        const std::optional<std::int64_t> window = size("attention.sliding_window");
        if (!window) return;
        if (pattern == 0) {
            m_file.failAtKey(
                key("attention.sliding_window"),
                "this reader does not know which layers of '" + m_arch + "' are windowed");
        }
        s.sliding_window = *window;
        s.setOrigin("sliding_window", "GGUF key " + singleQuoted(key("attention.sliding_window")));
        const std::vector<bool> local =
            ggufSlidingWindowPattern(m_file, m_prefix, s.n_layers, pattern);
        for (std::int64_t i = 0; i < s.n_layers; ++i)
            s.layer_is_local[std::size_t(i)] = local[std::size_t(i)] && !s.isKvFree(i);
        if (m_file.findEntry(key("attention.sliding_window_pattern"))) {
            s.setOrigin("layer_is_local",
                        "GGUF key " + singleQuoted(key("attention.sliding_window_pattern")));
        } else {
            s.setOrigin("layer_is_local", "llama.cpp's rule for " + m_arch + " (set_swa_pattern(" +
                                              num(pattern) + ")): layer i sliding when i % " +
                                              num(pattern) + " < " + num(pattern - 1));
        }
    }

    void readState(ModelShape& s) const {
        if (s.state_layers.empty()) {
            s.setOrigin("state", "GGUF: no recurrent layer");
            return;
        }
        RecurrentState& st = s.state;
        const auto need_ = [&](const std::string& name) {
            const std::int64_t v = need(name);
            st.sources.push_back(key(name) + " = " + num(v) + " (GGUF)");
            return v;
        };
        const char* what = "recurrent state size";
        const auto mul = [&](std::int64_t a, std::int64_t b) { return checkedMul(a, b, what); };
        if (m_arch == "lfm2" || m_arch == "lfm2moe") {
            st.kind = "short convolution";
            const std::int64_t cache = need_("shortconv.l_cache");
            st.conv_values = mul(cache - 1, s.d_model);
            st.conv_formula =
                "(l_cache " + num(cache) + " - 1) x embedding_length " + num(s.d_model);
        } else if (m_arch == "qwen3next") {
            st.kind = "gated DeltaNet (linear attention)";
            const std::int64_t kernel = need_("ssm.conv_kernel");
            const std::int64_t dk = need_("ssm.state_size");
            const std::int64_t nk = need_("ssm.group_count");
            const std::int64_t nv = need_("ssm.time_step_rank");
            const std::int64_t inner = need_("ssm.inner_size");
            if (inner % nv != 0) fail("ssm.inner_size is not a multiple of ssm.time_step_rank");
            const std::int64_t dv = inner / nv;
            const std::int64_t conv_dim = checkedAdd(mul(2, mul(nk, dk)), inner, what);
            st.conv_values = mul(kernel - 1, conv_dim);
            st.conv_formula = "(conv_kernel " + num(kernel) + " - 1) x conv_dim (2 x " + num(nk) +
                              " x " + num(dk) + " + " + num(inner) + ")";
            st.ssm_values = mul(nv, mul(dk, dv));
            st.ssm_formula = num(nv) + " value heads x " + num(dk) + " x " + num(dv);
        } else if (m_arch == "jamba" || m_arch == "mamba") {
            st.kind = "Mamba";
            const std::int64_t kernel = need_("ssm.conv_kernel");
            const std::int64_t inner = need_("ssm.inner_size");
            const std::int64_t state = need_("ssm.state_size");
            st.conv_values = mul(kernel - 1, inner);
            st.conv_formula = "(conv_kernel " + num(kernel) + " - 1) x inner_size " + num(inner);
            st.ssm_values = mul(inner, state);
            st.ssm_formula = "inner_size " + num(inner) + " x state_size " + num(state);
        } else {
            st.kind = "Mamba-2";
            const std::int64_t kernel = need_("ssm.conv_kernel");
            const std::int64_t inner = need_("ssm.inner_size");
            const std::int64_t state = need_("ssm.state_size");
            const std::int64_t heads = need_("ssm.time_step_rank");
            const std::int64_t groups = need_("ssm.group_count");
            if (inner % heads != 0) fail("ssm.inner_size is not a multiple of ssm.time_step_rank");
            const std::int64_t conv_dim = checkedAdd(inner, mul(2, mul(groups, state)), what);
            st.conv_values = mul(kernel - 1, conv_dim);
            st.conv_formula = "(conv_kernel " + num(kernel) + " - 1) x conv_dim (" + num(inner) +
                              " + 2 x " + num(groups) + " x " + num(state) + ")";
            st.ssm_values = mul(heads, mul(inner / heads, state));
            st.ssm_formula =
                num(heads) + " heads x " + num(inner / heads) + " x state_size " + num(state);
        }
        st.dtype_bytes = 2;
        st.dtype_origin = "16-bit assumed (a GGUF file does not say how the engine stores state)";
        s.setOrigin("state", "GGUF " + st.kind + " sizes");
    }

    const GgufFile& m_file;
    std::string m_arch;
    std::string m_prefix;
};

}  // namespace

bool isHybridGgufArchitecture(const std::string& architecture) {
    static constexpr std::array<std::string_view, 11> kArchitectures = {
        "qwen3next", "lfm2",   "lfm2moe", "granitehybrid", "jamba", "falcon-h1",
        "llama4",    "gemma3", "gemma2",  "gpt-oss",       "mamba"};
    return std::find(kArchitectures.begin(), kArchitectures.end(), architecture) !=
           kArchitectures.end();
}

ModelFileShape readGgufShape(const GgufFile& file) {
    return GgufShapeReader(file).read();
}

}  // namespace kvscope

#include "core/model/gguf_weights.h"

#include <algorithm>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/model/dequantize.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

std::string dimsText(const std::vector<std::int64_t>& dims) {
    std::string text = "[";
    for (std::size_t i = 0; i < dims.size(); ++i)
        text += (i ? ", " : "") + std::to_string(dims[i]);
    return text + "]";
}

/// Finds, checks and reads the tensors of one file, remembering which were used.
class TensorReader {
public:
    explicit TensorReader(const GgufFile& file) : m_file(file) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw InputError("GGUF " + m_file.path() + ": " + what);
    }

    /// The tensor `name` with GGUF dims `dims` and a type we can dequantize; nullptr when absent.
    const GgufTensorInfo* find(const std::string& name, const std::vector<std::int64_t>& dims) {
        const GgufTensorInfo* t = m_file.findTensor(name);
        if (!t) return nullptr;
        if (t->dims != dims) {
            fail("tensor '" + name + "' has dims " + dimsText(t->dims) + ", expected " +
                 dimsText(dims) + " for this model's shape");
        }
        if (!canDequantize(t->type)) {
            fail("tensor '" + name + "' has type " + ggmlTypeName(t->type) +
                 ", which cannot be dequantized (supported: " + dequantizableTypeNames() + ")");
        }
        m_used.insert(name);
        return t;
    }
    const GgufTensorInfo& require(const std::string& name, const std::vector<std::int64_t>& dims) {
        const GgufTensorInfo* t = find(name, dims);
        if (!t) fail("missing tensor '" + name + "'");
        return *t;
    }

    /// GGUF dims [cols, rows] (ne[0] = row length) -> a WeightMatrix [rows][cols] viewing the
    /// mapped bytes in place, whatever the type. A tensor whose rows are not whole blocks
    /// (stories260K's Q8_0 ffn_down: rows of 172) cannot be read row by row; it is decoded as one
    /// flat run of blocks into an owned fp32 matrix (ggml refuses such a tensor; it is small).
    WeightMatrix matrix(const GgufTensorInfo& t) const {
        if (t.dims[0] % ggmlTypeTraits(t.type).block_size == 0)
            return WeightMatrix::view(t.type, t.dims[1], t.dims[0], m_file.tensorBytes(t),
                                      m_file.owner());
        Matrix m(t.dims[1], t.dims[0]);  // [ne[1]][ne[0]]
        m_file.dequantizeInto(t, std::span<float>(m.data(), std::size_t(m.size())));
        return m;
    }
    Vector vector(const GgufTensorInfo& t) const {
        Vector v(t.dims[0]);  // [ne[0]]
        m_file.dequantizeInto(t, std::span<float>(v.data(), std::size_t(v.size())));
        return v;
    }
    WeightMatrix matrix(const std::string& name, std::int64_t rows, std::int64_t cols) {
        return matrix(require(name, {cols, rows}));
    }
    Vector vector(const std::string& name, std::int64_t size) {
        return vector(require(name, {size}));
    }
    /// An optional vector: empty when the file does not have it.
    Vector optionalVector(const std::string& name, std::int64_t size) {
        const GgufTensorInfo* t = find(name, {size});
        return t ? vector(*t) : Vector();
    }

    /// The first tensor of the file no read asked for.
    const GgufTensorInfo* firstUnused() const {
        for (const GgufTensorInfo& t : m_file.tensors())
            if (!m_used.contains(t.name)) return &t;
        return nullptr;
    }

private:
    const GgufFile& m_file;
    std::set<std::string> m_used;
};

/// Q, K, V (and their biases): separate tensors, or one fused attn_qkv split into row ranges.
void readAttentionInputs(TensorReader& r, const ModelConfig& c, const std::string& b,
                         LayerWeights& l) {
    const std::int64_t q = c.qDim(), kv = c.kvDim();
    if (const GgufTensorInfo* fused = r.find(b + "attn_qkv.weight", {c.d_model, q + 2 * kv})) {
        const WeightMatrix qkv = r.matrix(*fused);  // [q + 2 kv][d_model]
        l.wq = qkv.rowRange(0, q);
        l.wk = qkv.rowRange(q, kv);
        l.wv = qkv.rowRange(q + kv, kv);
    } else {
        l.wq = r.matrix(b + "attn_q.weight", q, c.d_model);
        l.wk = r.matrix(b + "attn_k.weight", kv, c.d_model);
        l.wv = r.matrix(b + "attn_v.weight", kv, c.d_model);
    }
    if (const Vector fused = r.optionalVector(b + "attn_qkv.bias", q + 2 * kv); fused.size()) {
        l.bq = fused.segment(0, q);
        l.bk = fused.segment(q, kv);
        l.bv = fused.segment(q + kv, kv);
    } else if (c.qkv_bias) {
        l.bq = r.vector(b + "attn_q.bias", q);
        l.bk = r.vector(b + "attn_k.bias", kv);
        l.bv = r.vector(b + "attn_v.bias", kv);
    }
}

LayerWeights readLayer(TensorReader& r, const ModelConfig& c, std::int64_t i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    LayerWeights l;
    l.attn_norm = r.vector(b + "attn_norm.weight", c.d_model);
    readAttentionInputs(r, c, b, l);
    l.wo = r.matrix(b + "attn_output.weight", c.d_model, c.qDim());
    l.bo = r.optionalVector(b + "attn_output.bias", c.d_model);
    if (c.qk_norm) {
        l.q_norm = r.vector(b + "attn_q_norm.weight", c.head_dim);
        l.k_norm = r.vector(b + "attn_k_norm.weight", c.head_dim);
    }
    if (c.post_norms) l.attn_post_norm = r.vector(b + "post_attention_norm.weight", c.d_model);
    l.ffn_norm = r.vector(b + "ffn_norm.weight", c.d_model);
    if (c.arch == Architecture::Phi3) {
        // One ffn_up of 2 d_ff rows: the gate's rows, then the up projection's.
        const WeightMatrix fused = r.matrix(b + "ffn_up.weight", 2 * c.d_ff, c.d_model);
        l.w_gate = fused.rowRange(0, c.d_ff);
        l.w_up = fused.rowRange(c.d_ff, c.d_ff);
    } else {
        l.w_gate = r.matrix(b + "ffn_gate.weight", c.d_ff, c.d_model);
        l.w_up = r.matrix(b + "ffn_up.weight", c.d_ff, c.d_model);
    }
    // Quantized flat (stories260K Q8_0: rows of 172): decoded as one run of blocks.
    l.w_down = r.matrix(b + "ffn_down.weight", c.d_model, c.d_ff);
    if (c.post_norms) l.ffn_post_norm = r.vector(b + "post_ffw_norm.weight", c.d_model);
    return l;
}

}  // namespace

ModelWeights loadGgufWeights(const GgufFile& file, const ModelConfig& c, bool check_values) {
    TensorReader r(file);
    ModelWeights w;
    w.token_embd = r.matrix("token_embd.weight", c.vocab, c.d_model);
    // Layer by layer, so an absurd n_layers ends at the first layer the file lacks.
    w.layers.reserve(std::size_t(std::min<std::int64_t>(c.n_layers, 4096)));
    for (std::int64_t i = 0; i < c.n_layers; ++i)
        w.layers.push_back(readLayer(r, c, i));
    w.output_norm = r.vector("output_norm.weight", c.d_model);
    if (!c.tied_output) w.output = r.matrix("output.weight", c.vocab, c.d_model);
    w.output_bias = r.optionalVector("output.bias", c.vocab);
    w.rope_freqs = r.optionalVector("rope_freqs.weight", c.ropeDims() / 2);
    // LongRoPE (Phi-3 128k): one set per context range, chosen per run (ModelWeights::ropeFactors).
    w.rope_factors_short = r.optionalVector("rope_factors_short.weight", c.ropeDims() / 2);
    w.rope_factors_long = r.optionalVector("rope_factors_long.weight", c.ropeDims() / 2);
    if (const GgufTensorInfo* unused = r.firstUnused()) {
        r.fail("tensor '" + unused->name + "' " + dimsText(unused->dims) + " is not used by " +
               std::string(toString(c.arch)) +
               " as KVScope runs it; running without it would compute another model");
    }
    w.checkShapes(c);
    if (check_values) w.checkFinite();
    return w;
}

}  // namespace kvscope

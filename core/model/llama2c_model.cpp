#include "core/model/llama2c_model.h"

#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/model/llama2c_tokenizer.h"
#include "core/model/raw_file_reader.h"
#include "core/util/check.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"

namespace kvscope {

namespace {

constexpr std::int64_t kHeaderBytes = 7 * 4;
// export.py --version 1 and 2 start with uint32 0x616b3432 ("ak42"); run.c reads version 0 only.
constexpr std::int32_t kExportMagic = 0x616b3432;

struct Header {
    std::int32_t dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
};

std::string describe(const Header& h) {
    return "dim " + std::to_string(h.dim) + ", hidden_dim " + std::to_string(h.hidden_dim) +
           ", n_layers " + std::to_string(h.n_layers) + ", n_heads " + std::to_string(h.n_heads) +
           ", n_kv_heads " + std::to_string(h.n_kv_heads) + ", vocab_size " +
           std::to_string(h.vocab_size) + ", seq_len " + std::to_string(h.seq_len);
}

/// The config the header describes; throws InputError (without the path) naming the bad field.
ModelConfig configFromHeader(const Header& h) {
    const std::pair<const char*, std::int64_t> fields[] = {
        {"dim", h.dim},         {"hidden_dim", h.hidden_dim}, {"n_layers", h.n_layers},
        {"n_heads", h.n_heads}, {"n_kv_heads", h.n_kv_heads}, {"seq_len", h.seq_len}};
    for (const auto& [name, value] : fields) {
        if (value <= 0) {
            throw InputError(std::string("header field ") + name + " is " + std::to_string(value) +
                             ", must be > 0");
        }
    }
    if (h.vocab_size == 0) throw InputError("header field vocab_size is 0, must be nonzero");
    if (h.dim % h.n_heads != 0) {
        throw InputError("dim " + std::to_string(h.dim) + " is not divisible by n_heads " +
                         std::to_string(h.n_heads));
    }
    if (h.n_heads % h.n_kv_heads != 0) {
        throw InputError("n_heads " + std::to_string(h.n_heads) +
                         " is not divisible by n_kv_heads " + std::to_string(h.n_kv_heads));
    }
    ModelConfig c;
    c.n_layers = h.n_layers;
    c.d_model = h.dim;
    c.n_heads = h.n_heads;
    c.n_kv_heads = h.n_kv_heads;
    c.head_dim = h.dim / h.n_heads;
    c.d_ff = h.hidden_dim;
    c.vocab = h.vocab_size < 0 ? -std::int64_t(h.vocab_size) : std::int64_t(h.vocab_size);
    c.max_context = h.seq_len;
    c.rope_theta = 10000.0f;
    c.norm_eps = 1e-5f;
    c.tied_output = h.vocab_size > 0;
    c.validate();
    return c;
}

/// Bytes of a checkpoint of `c`, as run.c's memory_map_weights walks it.
std::int64_t checkpointBytes(const ModelConfig& c, bool tied) {
    const char* what = "checkpoint size implied by the header";
    const auto mul = [what](std::int64_t a, std::int64_t b) { return checkedMul(a, b, what); };
    const auto add = [what](std::int64_t a, std::int64_t b) { return checkedAdd(a, b, what); };
    std::int64_t per_layer = mul(2, c.d_model);                     // rms_att, rms_ffn
    per_layer = add(per_layer, mul(2, mul(c.qDim(), c.d_model)));   // wq, wo
    per_layer = add(per_layer, mul(2, mul(c.kvDim(), c.d_model)));  // wk, wv
    per_layer = add(per_layer, mul(3, mul(c.d_ff, c.d_model)));     // w1, w2, w3
    const std::int64_t embedding = mul(c.vocab, c.d_model);
    std::int64_t floats = add(embedding, mul(c.n_layers, per_layer));
    floats = add(floats, c.d_model);                                   // rms_final
    floats = add(floats, mul(2, mul(c.max_context, c.head_dim) / 2));  // freq_cis_real, _imag
    if (!tied) floats = add(floats, embedding);                        // wcls
    return add(kHeaderBytes, mul(floats, 4));
}

Header readHeader(RawFileReader& in) {
    if (in.size() < kHeaderBytes) {
        in.fail("file is " + std::to_string(in.size()) + " bytes, too short for the " +
                std::to_string(kHeaderBytes) + "-byte header");
    }
    Header h{};
    h.dim = in.readInt32("header");
    h.hidden_dim = in.readInt32("header");
    h.n_layers = in.readInt32("header");
    h.n_heads = in.readInt32("header");
    h.n_kv_heads = in.readInt32("header");
    h.vocab_size = in.readInt32("header");
    h.seq_len = in.readInt32("header");
    if (h.dim == kExportMagic) {
        in.fail(
            "starts with the \"ak42\" magic of llama2.c export.py --version 1/2; only run.c's "
            "legacy format is supported (export.py --version 0)");
    }
    return h;
}

/// The config of the checkpoint, after checking that the file holds exactly what it implies.
ModelConfig checkedConfig(RawFileReader& in, const Header& h) {
    ModelConfig c;
    std::int64_t expected = 0;
    try {
        c = configFromHeader(h);
        expected = checkpointBytes(c, c.tied_output);
    } catch (const InputError& e) {
        in.fail(std::string(e.what()) + " (header: " + describe(h) + ")");
    }
    if (in.size() != expected) {
        std::string hint;
        try {
            if (in.size() == checkpointBytes(c, !c.tied_output)) {
                hint = std::string("; that size fits the same model with ") +
                       (c.tied_output ? "an untied" : "a tied") +
                       " classifier (the sign of vocab_size)";
            }
        } catch (const InputError&) {
        }
        in.fail("file is " + std::to_string(in.size()) + " bytes, header implies " +
                std::to_string(expected) + " (" + describe(h) + ")" + hint);
    }
    return c;
}

/// The checkpoint's tensors in file order, used in place: the matrices are views of the mapped
/// file (fp32 rows, never copied), the norm vectors (a few KiB) are copied. `c` was checked
/// against the file's size, so every tensor lies inside it.
class TensorWalker {
public:
    TensorWalker(std::shared_ptr<const MappedFile> file, std::int64_t offset)
        : m_file(std::move(file)), m_offset(offset) {}

    WeightMatrix matrix(std::int64_t rows, std::int64_t cols) {  // [rows][cols] fp32
        const std::span<const std::byte> bytes = take(rows * cols * 4);
        return WeightMatrix::view(GgmlType::F32, rows, cols, bytes, m_file);
    }
    Vector vector(std::int64_t n) {  // [n] fp32
        Vector v(n);
        const std::span<const std::byte> bytes = take(n * 4);
        std::memcpy(v.data(), bytes.data(), bytes.size());
        return v;
    }
    void skip(std::int64_t bytes) { take(bytes); }

private:
    std::span<const std::byte> take(std::int64_t n) {
        KVSCOPE_EXPECTS(n >= 0 && m_offset + n <= m_file->size());
        const std::span<const std::byte> bytes =
            m_file->bytes().subspan(std::size_t(m_offset), std::size_t(n));
        m_offset += n;
        return bytes;
    }

    std::shared_ptr<const MappedFile> m_file;
    std::int64_t m_offset;
};

/// The tensors of `c` from the checkpoint (llama2c_model.h lists them), after the header.
ModelWeights mapWeights(const std::string& path, std::int64_t header_bytes, const ModelConfig& c) {
    TensorWalker in(std::make_shared<const MappedFile>(MappedFile::open(path)), header_bytes);
    const std::int64_t d = c.d_model, q = c.qDim(), kv = c.kvDim();
    ModelWeights w;
    w.layers.resize(std::size_t(c.n_layers));
    const auto perLayer = [&](auto field, auto make) {
        for (LayerWeights& l : w.layers)
            l.*field = make();
    };
    w.token_embd = in.matrix(c.vocab, d);
    perLayer(&LayerWeights::attn_norm, [&] { return in.vector(d); });
    perLayer(&LayerWeights::wq, [&] { return in.matrix(q, d); });
    perLayer(&LayerWeights::wk, [&] { return in.matrix(kv, d); });
    perLayer(&LayerWeights::wv, [&] { return in.matrix(kv, d); });
    perLayer(&LayerWeights::wo, [&] { return in.matrix(d, q); });
    perLayer(&LayerWeights::ffn_norm, [&] { return in.vector(d); });
    perLayer(&LayerWeights::w_gate, [&] { return in.matrix(c.d_ff, d); });  // w1
    perLayer(&LayerWeights::w_down, [&] { return in.matrix(d, c.d_ff); });  // w2
    perLayer(&LayerWeights::w_up, [&] { return in.matrix(c.d_ff, d); });    // w3
    w.output_norm = in.vector(d);
    in.skip(2 * (c.max_context * c.head_dim / 2 * 4));     // freq_cis_real, freq_cis_imag
    if (!c.tied_output) w.output = in.matrix(c.vocab, d);  // wcls
    return w;
}

std::string tokenizerBeside(const std::string& checkpoint_path) {
    const std::filesystem::path beside =
        std::filesystem::path(checkpoint_path).parent_path() / "tokenizer.bin";
    std::error_code error;
    if (!std::filesystem::exists(beside, error)) {
        throw InputError("llama2.c checkpoint " + checkpoint_path +
                         ": no tokenizer given and no tokenizer.bin beside it (looked for " +
                         beside.string() + "); give the tokenizer's path (llama2.c's -z)");
    }
    return beside.string();
}

}  // namespace

ModelConfig readLlama2cConfig(const std::string& checkpoint_path) {
    RawFileReader in("llama2.c checkpoint", checkpoint_path);
    ModelConfig config = checkedConfig(in, readHeader(in));
    config.name = std::filesystem::path(checkpoint_path).stem().string();
    return config;
}

Model loadLlama2cModel(const std::string& checkpoint_path, const std::string& tokenizer_path) {
    RawFileReader in("llama2.c checkpoint", checkpoint_path);
    const Header header = readHeader(in);
    Model model;
    model.config = checkedConfig(in, header);
    model.config.name = std::filesystem::path(checkpoint_path).stem().string();
    // The file holds all of it (checkedConfig compared its size): mapped, used in place.
    model.weights = mapWeights(checkpoint_path, kHeaderBytes, model.config);
    model.weights.checkFinite();
    const std::string tok_path =
        tokenizer_path.empty() ? tokenizerBeside(checkpoint_path) : tokenizer_path;
    model.tokenizer = loadLlama2cTokenizer(tok_path, model.config.vocab);
    return model;
}

}  // namespace kvscope

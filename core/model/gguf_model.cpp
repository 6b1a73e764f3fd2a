#include "core/model/gguf_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "core/model/dequantize.h"
#include "core/model/sentencepiece_tokenizer.h"
#include "core/util/error.h"
#include "core/util/number_text.h"

namespace kvscope {

namespace {

constexpr const char* kRunnableArchitecture = "llama";

[[noreturn]] void fail(const GgufFile& file, const std::string& what) {
    throw InputError("GGUF " + file.path() + ": " + what);
}

std::string baseName(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// A size-like key (count, length) as a positive int64.
constexpr std::int64_t kMaxLayers = 65536;                      // as the other readers
constexpr std::int64_t kMaxRunContext = std::int64_t(1) << 24;  // 16M positions

std::int64_t requireSize(const GgufFile& file, const std::string& key) {
    const std::optional<std::uint64_t> value = file.findUint(key);
    if (!value) fail(file, "missing key '" + key + "'");
    if (*value == 0 || *value > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        file.failAtKey(key, "value " + std::to_string(*value) + " is not a usable size (> 0)");
    return std::int64_t(*value);
}

std::optional<std::int64_t> optionalSize(const GgufFile& file, const std::string& key) {
    if (!file.findEntry(key)) return std::nullopt;
    return requireSize(file, key);
}

float requirePositiveFloat(const GgufFile& file, const std::string& key, double value) {
    if (!std::isfinite(value) || value <= 0.0 || value > std::numeric_limits<float>::max())
        file.failAtKey(key, "value " + numberText(value) + " is not a finite positive float");
    return float(value);
}

/// The vocabulary size: the token list's length, else <arch>.vocab_size, else token_embd's rows.
std::int64_t readVocabSize(const GgufFile& file, const std::string& arch) {
    const GgufTensorInfo* embd = file.findTensor("token_embd.weight");
    const std::int64_t embd_rows = embd && embd->dims.size() == 2 ? embd->dims[1] : 0;
    std::int64_t vocab = 0;
    if (const GgufMetadataEntry* tokens = file.findEntry("tokenizer.ggml.tokens")) {
        if (tokens->type != GgufType::Array || tokens->element_type != GgufType::String)
            file.failAtKey(tokens->key, "expected an array of string");
        vocab = tokens->count;
    } else if (const std::optional<std::int64_t> size = optionalSize(file, arch + ".vocab_size")) {
        vocab = *size;
    } else {
        vocab = embd_rows;
    }
    if (vocab <= 0) fail(file, "cannot tell the vocabulary size (no tokenizer.ggml.tokens)");
    if (embd_rows != 0 && embd_rows != vocab) {
        fail(file, "token_embd.weight has " + std::to_string(embd_rows) +
                       " rows but the vocabulary has " + std::to_string(vocab) + " tokens");
    }
    return vocab;
}

}  // namespace

// --- config ---------------------------------------------------------------------------------

GgufModelInfo readGgufModelInfo(const GgufFile& file, const GgufModelOptions& options) {
    GgufModelInfo info;
    const std::optional<std::string> arch = file.findString("general.architecture");
    if (!arch) fail(file, "missing key 'general.architecture'");
    info.architecture = *arch;
    const std::string p = *arch + ".";

    ModelConfig& c = info.config;
    // general.name, unless absent or as generic as the architecture ("llama"): then the file name.
    const std::optional<std::string> general_name = file.findString("general.name");
    c.name = general_name && !general_name->empty() && *general_name != *arch
                 ? *general_name
                 : baseName(file.path());
    c.n_layers = requireSize(file, p + "block_count");
    c.d_model = requireSize(file, p + "embedding_length");
    c.d_ff = requireSize(file, p + "feed_forward_length");
    c.n_heads = requireSize(file, p + "attention.head_count");
    c.n_kv_heads = optionalSize(file, p + "attention.head_count_kv").value_or(c.n_heads);
    if (const std::optional<std::int64_t> key_length =
            optionalSize(file, p + "attention.key_length")) {
        c.head_dim = *key_length;
    } else {
        if (c.d_model % c.n_heads != 0) {
            file.failAtKey(p + "attention.head_count",
                           "embedding_length " + std::to_string(c.d_model) +
                               " is not divisible by head_count " + std::to_string(c.n_heads));
        }
        c.head_dim = c.d_model / c.n_heads;
    }
    if (*arch == kRunnableArchitecture) {
        // The engine rotates every dimension of a head; a partial RoPE cannot run.
        const std::string rope_key = p + "rope.dimension_count";
        if (const std::optional<std::int64_t> rope_dims = optionalSize(file, rope_key);
            rope_dims && *rope_dims != c.head_dim) {
            file.failAtKey(rope_key, "rope.dimension_count " + std::to_string(*rope_dims) +
                                         " differs from head_dim " + std::to_string(c.head_dim));
        }
    }
    const std::string theta_key = p + "rope.freq_base";
    if (const std::optional<double> theta = file.findFloat(theta_key))
        c.rope_theta = requirePositiveFloat(file, theta_key, *theta);
    for (const std::string& eps_key :
         {p + "attention.layer_norm_rms_epsilon", p + "attention.layer_norm_epsilon"}) {
        if (const std::optional<double> eps = file.findFloat(eps_key)) {
            c.norm_eps = requirePositiveFloat(file, eps_key, *eps);
            break;
        }
    }
    info.context_length = requireSize(file, p + "context_length");
    c.max_context = info.context_length;
    if (options.max_context_cap > 0)
        c.max_context = std::min(c.max_context, options.max_context_cap);
    c.vocab = readVocabSize(file, *arch);
    c.tied_output = file.findTensor("output.weight") == nullptr;
    try {
        c.validate();
    } catch (const InputError& e) {
        fail(file, std::string("the metadata describes an invalid model: ") + e.what());
    }

    for (const GgufTensorInfo& t : file.tensors()) {
        if (__builtin_add_overflow(info.weight_bytes, t.byte_size, &info.weight_bytes))
            fail(file, "total tensor bytes overflow 64 bits");
        const std::string type = ggmlTypeName(t.type);
        auto it = std::find_if(info.tensor_types.begin(), info.tensor_types.end(),
                               [&](const auto& entry) { return entry.first == type; });
        if (it == info.tensor_types.end()) {
            info.tensor_types.emplace_back(type, 1);
        } else {
            ++it->second;
        }
    }
    return info;
}

ModelConfig readGgufConfig(const GgufFile& file, const GgufModelOptions& options) {
    return readGgufModelInfo(file, options).config;
}

// --- tokenizer ------------------------------------------------------------------------------

namespace {

TokenId readTokenId(const GgufFile& file, const std::string& key, TokenId fallback) {
    const std::optional<std::uint64_t> id = file.findUint(key);
    if (!id) return fallback;
    if (*id > std::uint64_t(std::numeric_limits<TokenId>::max()))
        file.failAtKey(key, "token id " + std::to_string(*id) + " does not fit in 32 bits");
    return TokenId(*id);
}

}  // namespace

std::shared_ptr<const Tokenizer> loadGgufTokenizer(const GgufFile& file) {
    const std::optional<std::string> model = file.findString("tokenizer.ggml.model");
    if (!model) fail(file, "no embedded tokenizer (missing key 'tokenizer.ggml.model')");
    if (*model != "llama") {
        file.failAtKey("tokenizer.ggml.model", "tokenizer model '" + *model +
                                                   "' is not supported (only 'llama', "
                                                   "SentencePiece)");
    }
    std::optional<std::vector<std::string>> pieces = file.findStringArray("tokenizer.ggml.tokens");
    if (!pieces) fail(file, "missing key 'tokenizer.ggml.tokens'");
    const std::size_t n_vocab = pieces->size();
    const std::optional<std::vector<float>> scores = file.findFloatArray("tokenizer.ggml.scores");
    if (scores && scores->size() != n_vocab) {
        file.failAtKey("tokenizer.ggml.scores", "has " + std::to_string(scores->size()) +
                                                    " scores for " + std::to_string(n_vocab) +
                                                    " tokens");
    }
    const std::optional<std::vector<std::int64_t>> types =
        file.findIntArray("tokenizer.ggml.token_type");
    if (types && types->size() != n_vocab) {
        file.failAtKey("tokenizer.ggml.token_type", "has " + std::to_string(types->size()) +
                                                        " types for " + std::to_string(n_vocab) +
                                                        " tokens");
    }

    std::vector<VocabEntry> vocab(n_vocab);  // [n_vocab]
    for (std::size_t i = 0; i < n_vocab; ++i) {
        vocab[i].piece = std::move((*pieces)[i]);
        if (scores) vocab[i].score = (*scores)[i];
        if (types) {
            const std::int64_t type = (*types)[i];
            if (type < std::int64_t(TokenType::Undefined) || type > std::int64_t(TokenType::Byte)) {
                file.failAtKey(
                    "tokenizer.ggml.token_type",
                    "token " + std::to_string(i) + " has unknown type " + std::to_string(type));
            }
            vocab[i].type = TokenType(type);
        }
    }
    // llama.cpp's SentencePiece defaults: <unk> 0, <s> 1, </s> 2.
    const TokenId bos = readTokenId(file, "tokenizer.ggml.bos_token_id", 1);
    const TokenId eos = readTokenId(file, "tokenizer.ggml.eos_token_id", 2);
    const TokenId unk = readTokenId(file, "tokenizer.ggml.unknown_token_id", 0);
    const bool add_space_prefix = file.findBool("tokenizer.ggml.add_space_prefix").value_or(true);
    try {
        return std::make_shared<const SentencePieceTokenizer>(std::move(vocab), bos, eos, unk,
                                                              add_space_prefix);
    } catch (const InputError& e) {
        fail(file, std::string("bad tokenizer: ") + e.what());
    }
}

// --- weights --------------------------------------------------------------------------------

namespace {

std::string dimsText(const std::vector<std::int64_t>& dims) {
    std::string text = "[";
    for (std::size_t i = 0; i < dims.size(); ++i)
        text += (i ? ", " : "") + std::to_string(dims[i]);
    return text + "]";
}

/// Checks that `name` exists with GGUF dims `dims` and a type we can dequantize.
const GgufTensorInfo& checkTensor(const GgufFile& file, const std::string& name,
                                  const std::vector<std::int64_t>& dims) {
    const GgufTensorInfo* t = file.findTensor(name);
    if (!t) fail(file, "missing tensor '" + name + "'");
    if (t->dims != dims) {
        fail(file, "tensor '" + name + "' has dims " + dimsText(t->dims) + ", expected " +
                       dimsText(dims) + " for this model's shape");
    }
    if (!canDequantize(t->type)) {
        fail(file, "tensor '" + name + "' has type " + ggmlTypeName(t->type) +
                       ", which cannot be dequantized (supported: " + dequantizableTypeNames() +
                       ")");
    }
    return *t;
}

/// The GGUF names and dims of every tensor `c` needs, checked before anything is allocated.
/// Ends quickly even for an absurd n_layers: each layer needs 9 distinct tensors, so a missing
/// one turns up within tensors().size() / 9 + 1 layers.
void checkAllTensors(const GgufFile& file, const ModelConfig& c) {
    checkTensor(file, "token_embd.weight", {c.d_model, c.vocab});
    for (std::int64_t i = 0; i < c.n_layers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        checkTensor(file, b + "attn_norm.weight", {c.d_model});
        checkTensor(file, b + "attn_q.weight", {c.d_model, c.qDim()});
        checkTensor(file, b + "attn_k.weight", {c.d_model, c.kvDim()});
        checkTensor(file, b + "attn_v.weight", {c.d_model, c.kvDim()});
        checkTensor(file, b + "attn_output.weight", {c.qDim(), c.d_model});
        checkTensor(file, b + "ffn_norm.weight", {c.d_model});
        checkTensor(file, b + "ffn_gate.weight", {c.d_model, c.d_ff});
        checkTensor(file, b + "ffn_up.weight", {c.d_model, c.d_ff});
        checkTensor(file, b + "ffn_down.weight", {c.d_ff, c.d_model});
    }
    checkTensor(file, "output_norm.weight", {c.d_model});
    if (!c.tied_output) checkTensor(file, "output.weight", {c.d_model, c.vocab});
}

/// GGUF dims [cols, rows] (ne[0] = row length) -> a WeightMatrix [rows][cols] viewing the mapped
/// bytes in place, whatever the type. A tensor whose rows are not whole blocks (stories260K's
/// Q8_0 ffn_down: rows of 172) cannot be read row by row; it is decoded as one flat run of blocks
/// into an owned fp32 matrix (ggml refuses such a tensor; it is small).
WeightMatrix loadMatrix(const GgufFile& file, const std::string& name) {
    const GgufTensorInfo& t = *file.findTensor(name);
    if (t.dims[0] % ggmlTypeTraits(t.type).block_size == 0)
        return WeightMatrix::view(t.type, t.dims[1], t.dims[0], file.tensorBytes(t), file.owner());
    Matrix m(t.dims[1], t.dims[0]);  // [ne[1]][ne[0]]
    file.dequantizeInto(t, std::span<float>(m.data(), std::size_t(m.size())));
    return m;
}

Vector loadVector(const GgufFile& file, const std::string& name) {
    const GgufTensorInfo& t = *file.findTensor(name);
    Vector v(t.dims[0]);  // [ne[0]]
    file.dequantizeInto(t, std::span<float>(v.data(), std::size_t(v.size())));
    return v;
}

ModelWeights loadWeights(const GgufFile& file, const ModelConfig& c) {
    checkAllTensors(file, c);
    ModelWeights w;
    w.token_embd = loadMatrix(file, "token_embd.weight");
    w.layers.resize(std::size_t(c.n_layers));
    for (std::int64_t i = 0; i < c.n_layers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        LayerWeights& l = w.layers[std::size_t(i)];
        l.attn_norm = loadVector(file, b + "attn_norm.weight");
        l.wq = loadMatrix(file, b + "attn_q.weight");
        l.wk = loadMatrix(file, b + "attn_k.weight");
        l.wv = loadMatrix(file, b + "attn_v.weight");
        l.wo = loadMatrix(file, b + "attn_output.weight");
        l.ffn_norm = loadVector(file, b + "ffn_norm.weight");
        l.w_gate = loadMatrix(file, b + "ffn_gate.weight");
        l.w_up = loadMatrix(file, b + "ffn_up.weight");
        // Quantized flat (stories260K Q8_0: rows of 172): dequantizeInto decodes the whole tensor
        // as one run of blocks, never row by row.
        l.w_down = loadMatrix(file, b + "ffn_down.weight");
    }
    w.output_norm = loadVector(file, "output_norm.weight");
    if (!c.tied_output) w.output = loadMatrix(file, "output.weight");
    w.checkShapes(c);
    w.checkFinite();
    return w;
}

}  // namespace

Model loadGgufModel(const GgufFile& file, const GgufModelOptions& options) {
    const std::optional<std::string> arch = file.findString("general.architecture");
    if (!arch) fail(file, "missing key 'general.architecture'");
    if (*arch != kRunnableArchitecture) {
        file.failAtKey("general.architecture",
                       "architecture '" + *arch +
                           "' is not supported for running (only 'llama'); its metadata can "
                           "still be listed");
    }
    Model model;
    model.config = readGgufConfig(file, options);
    if (model.config.n_layers > kMaxLayers)
        file.failAtKey(*arch + ".block_count",
                       "is more than the " + std::to_string(kMaxLayers) + " layers KVScope runs");
    // Running reserves K/V for the whole context up front: a context no machine holds is refused
    // here, naming the key, rather than ending in an allocation failure.
    if (model.config.max_context > kMaxRunContext)
        file.failAtKey(*arch + ".context_length", "is " + std::to_string(model.config.max_context) +
                                                      " positions, more than the " +
                                                      std::to_string(kMaxRunContext) +
                                                      " KVScope runs");
    model.tokenizer = loadGgufTokenizer(file);
    if (model.tokenizer->vocabSize() != model.config.vocab) {
        fail(file, "the tokenizer has " + std::to_string(model.tokenizer->vocabSize()) +
                       " tokens but the model expects " + std::to_string(model.config.vocab));
    }
    model.weights = loadWeights(file, model.config);
    return model;
}

Model loadGgufModel(const std::string& path, const GgufModelOptions& options) {
    return loadGgufModel(GgufFile::open(path), options);
}

}  // namespace kvscope

#include "core/model/gguf_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/model/gguf_architecture.h"
#include "core/model/gguf_tokenizer.h"
#include "core/model/gguf_weights.h"
#include "core/util/error.h"
#include "core/util/number_text.h"

namespace kvscope {

namespace {

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

std::string ggufModelName(const GgufFile& file) {
    const std::optional<std::string> general_name = file.findString("general.name");
    const std::optional<std::string> arch = file.findString("general.architecture");
    return general_name && !general_name->empty() && general_name != arch ? *general_name
                                                                          : baseName(file.path());
}

GgufModelInfo readGgufModelInfo(const GgufFile& file, const GgufModelOptions& options) {
    GgufModelInfo info;
    const std::optional<std::string> arch = file.findString("general.architecture");
    if (!arch) fail(file, "missing key 'general.architecture'");
    info.architecture = *arch;
    const std::string p = *arch + ".";

    ModelConfig& c = info.config;
    c.name = ggufModelName(file);
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
    const std::string theta_key = p + "rope.freq_base";
    if (const std::optional<double> theta = file.findFloat(theta_key))
        c.rope_theta = requirePositiveFloat(file, theta_key, *theta);
    // The architecture's own keys; another architecture is sized as a llama-like model.
    if (const std::optional<Architecture> runnable = runnableArchitecture(*arch))
        readArchitectureConfig(file, *runnable, c);
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

Model loadGgufModel(const GgufFile& file, const GgufModelOptions& options) {
    const std::optional<std::string> arch = file.findString("general.architecture");
    if (!arch) fail(file, "missing key 'general.architecture'");
    const std::optional<Architecture> runnable = runnableArchitecture(*arch);
    if (!runnable) {
        file.failAtKey("general.architecture",
                       "architecture '" + *arch + "' is not supported for running (only " +
                           runnableArchitectureNames() + "); its metadata can still be listed");
    }
    checkArchitectureRunnable(file, *runnable);
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
    model.chat_template = file.findString("tokenizer.chat_template").value_or("");
    if (model.tokenizer->vocabSize() != model.config.vocab) {
        fail(file, "the tokenizer has " + std::to_string(model.tokenizer->vocabSize()) +
                       " tokens but the model expects " + std::to_string(model.config.vocab));
    }
    model.weights = loadGgufWeights(file, model.config, options.check_values);
    return model;
}

Model loadGgufModel(const std::string& path, const GgufModelOptions& options) {
    return loadGgufModel(GgufFile::open(path), options);
}

}  // namespace kvscope

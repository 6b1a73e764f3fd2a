// readGgufInfo: a GGUF model described from its header (metadata and tensor table) only.
#include <algorithm>
#include <limits>

#include "app/cli/info/model_info.h"
#include "core/model/gguf_architecture.h"
#include "core/model/gguf_file.h"
#include "core/model/gguf_model.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope::cli {

namespace {

/// tokenizer.ggml.model -> what kind of tokenizer it is (llama.cpp's names).
std::string describeTokenizerModel(const std::string& model) {
    const std::pair<const char*, const char*> kinds[] = {
        {"llama", "SentencePiece BPE"},  {"gpt2", "byte-level BPE"}, {"bert", "WordPiece"},
        {"t5", "SentencePiece Unigram"}, {"rwkv", "RWKV greedy"},    {"plamo2", "PLaMo-2"},
    };
    for (const auto& [name, kind] : kinds) {
        if (model == name) return model + " (" + kind + ")";
    }
    return model;
}

/// "uint32", "string", "array[string]".
std::string typeLabel(const GgufMetadataEntry& entry) {
    if (entry.type != GgufType::Array) return std::string(ggufTypeName(entry.type));
    return "array[" + std::string(ggufTypeName(entry.element_type)) + "]";
}

/// The id under `key` and its piece from `pieces` (empty when outside them); nullopt when the
/// key is absent.
std::optional<TokenSummary> specialToken(const GgufFile& file, const std::string& key,
                                         const std::vector<std::string>& pieces) {
    const std::optional<std::uint64_t> id = file.findUint(key);
    if (!id) return std::nullopt;
    if (*id > std::uint64_t(std::numeric_limits<TokenId>::max()))
        file.failAtKey(key, "token id " + std::to_string(*id) + " does not fit in 32 bits");
    TokenSummary token{TokenId(*id), ""};
    if (*id < pieces.size()) token.label = pieces[std::size_t(*id)];
    return token;
}

TokenizerSummary ggufTokenizer(const GgufFile& file) {
    TokenizerSummary summary;
    summary.gguf_model = file.findString("tokenizer.ggml.model").value_or("");
    summary.model =
        summary.gguf_model.empty() ? "none" : describeTokenizerModel(summary.gguf_model);
    // Decodes only the token strings (header bytes), for the BOS / EOS labels.
    const std::vector<std::string> pieces =
        file.findStringArray("tokenizer.ggml.tokens").value_or(std::vector<std::string>{});
    summary.vocab = std::int64_t(pieces.size());
    summary.bos = specialToken(file, "tokenizer.ggml.bos_token_id", pieces);
    summary.eos = specialToken(file, "tokenizer.ggml.eos_token_id", pieces);
    return summary;
}

TensorSummary tensorSummary(const GgufTensorInfo& t) {
    // GGUF lists ne[0] (the row length) first; the summary lists the outermost dim first.
    std::vector<std::int64_t> shape(t.dims.rbegin(), t.dims.rend());
    return {t.name, ggmlTypeName(t.type), std::move(shape), t.n_elements, t.byte_size};
}

}  // namespace

ModelInfo readGgufInfo(const std::string& path) {
    const GgufFile file = GgufFile::open(path);
    ModelInfo info;
    info.reference = path;
    info.format = ModelFormat::Gguf;
    info.gguf_version = file.version();
    info.file_bytes = file.fileSize();
    for (const GgufTensorInfo& t : file.tensors()) {
        info.tensors.push_back(tensorSummary(t));
        // Tensors may overlap in a hostile file, so even these sums are checked.
        info.parameters = checkedAdd(info.parameters, t.n_elements, "parameter count");
        info.weight_bytes = checkedAdd(info.weight_bytes, t.byte_size, "tensor bytes");
    }
    info.tensor_types = countTensorTypes(info.tensors);
    try {
        const GgufModelInfo header = readGgufModelInfo(file);
        info.architecture = header.architecture;
        info.config = header.config;
        info.config.max_context = header.context_length;
    } catch (const InputError& e) {
        // Another kind of model (Mamba, RWKV, BERT keys) is still a file to describe; a missing
        // architecture or a broken key of one KVScope runs is bad input, as for every command.
        const std::optional<std::string> arch = file.findString("general.architecture");
        if (!arch || runnableArchitecture(*arch)) throw;
        info.shape_problem = e.what();
        info.cannot_run = e.what();
        info.architecture = *arch;
        info.config.name = ggufModelName(file);
    }
    if (info.cannot_run.empty()) {
        // The loader's own checks (architecture, RoPE scaling, tokenizer, every tensor's name,
        // dims and type), without reading the weights' values.
        GgufModelOptions options;
        options.check_values = false;
        try {
            (void)loadGgufModel(file, options);
        } catch (const InputError& e) {
            info.cannot_run = e.what();
        }
    }
    info.tokenizer = ggufTokenizer(file);
    for (const GgufMetadataEntry& entry : file.metadata()) {
        MetadataSummary m{entry.key, typeLabel(entry), file.summary(entry), std::nullopt,
                          entry.count};
        if (entry.type != GgufType::Array) m.scalar = file.value(entry);
        info.metadata.push_back(std::move(m));
    }
    return info;
}

}  // namespace kvscope::cli

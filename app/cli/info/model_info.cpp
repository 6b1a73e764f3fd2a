#include "app/cli/info/model_info.h"

#include <algorithm>
#include <filesystem>
#include <typeinfo>

#include "core/model/sentencepiece_tokenizer.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope::cli {

namespace {

constexpr std::int64_t kFp32Bytes = 4;
constexpr std::int64_t kFp16Bytes = 2;

TensorSummary matrixTensor(std::string name, const WeightMatrix& m) {
    return {
        std::move(name), ggmlTypeName(m.type()), {m.rows(), m.cols()}, m.size(), m.storedBytes()};
}

TensorSummary vectorTensor(std::string name, const Vector& v) {
    const std::int64_t n = std::int64_t(v.size());
    return {std::move(name), "F32", {n}, n, n * kFp32Bytes};
}

/// The fp32 weights as a tensor table, named as GGUF files name them.
std::vector<TensorSummary> weightTensors(const ModelWeights& w) {
    std::vector<TensorSummary> tensors;
    tensors.push_back(matrixTensor("token_embd.weight", w.token_embd));
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        const LayerWeights& l = w.layers[i];
        tensors.push_back(vectorTensor(b + "attn_norm.weight", l.attn_norm));
        tensors.push_back(matrixTensor(b + "attn_q.weight", l.wq));
        tensors.push_back(matrixTensor(b + "attn_k.weight", l.wk));
        tensors.push_back(matrixTensor(b + "attn_v.weight", l.wv));
        tensors.push_back(matrixTensor(b + "attn_output.weight", l.wo));
        tensors.push_back(vectorTensor(b + "ffn_norm.weight", l.ffn_norm));
        tensors.push_back(matrixTensor(b + "ffn_gate.weight", l.w_gate));
        tensors.push_back(matrixTensor(b + "ffn_up.weight", l.w_up));
        tensors.push_back(matrixTensor(b + "ffn_down.weight", l.w_down));
    }
    tensors.push_back(vectorTensor("output_norm.weight", w.output_norm));
    if (w.output.size() > 0) tensors.push_back(matrixTensor("output.weight", w.output));
    return tensors;
}

std::optional<TokenSummary> tokenSummary(const Tokenizer& tokenizer, TokenId id) {
    if (id < 0 || id >= tokenizer.vocabSize()) return TokenSummary{id, ""};
    return TokenSummary{id, tokenizer.label(id)};
}

TokenizerSummary tokenizerSummary(const Tokenizer& tokenizer) {
    TokenizerSummary summary;
    if (typeid(tokenizer) == typeid(ByteTokenizer)) {
        summary.model = "byte-level";
    } else if (typeid(tokenizer) == typeid(SentencePieceTokenizer)) {
        summary.model = "llama (SentencePiece BPE)";
    } else {
        summary.model = "other";
    }
    summary.vocab = tokenizer.vocabSize();
    summary.bos = tokenSummary(tokenizer, tokenizer.bos());
    summary.eos = tokenSummary(tokenizer, tokenizer.eos());
    return summary;
}

/// A built-in model or a llama2.c checkpoint: everything from the loaded model.
ModelInfo loadedModelInfo(std::string_view reference, ModelFormat format) {
    const std::shared_ptr<const Model> model = loadModel(reference);
    ModelInfo info;
    info.reference = std::string(reference);
    info.format = format;
    if (format == ModelFormat::Llama2c) {
        info.file_bytes = std::int64_t(std::filesystem::file_size(info.reference));
    }
    info.architecture = "llama";
    info.config = model->config;
    info.tensors = weightTensors(model->weights);
    for (const TensorSummary& t : info.tensors) {
        info.parameters = checkedAdd(info.parameters, t.n_elements, "parameter count");
        info.weight_bytes = checkedAdd(info.weight_bytes, t.bytes, "weight bytes");
    }
    info.tensor_types = countTensorTypes(info.tensors);
    info.tokenizer = tokenizerSummary(*model->tokenizer);
    return info;
}

}  // namespace

KvSizes kvSizes(const ModelConfig& config) {
    KvSizes sizes;
    const std::int64_t bytes_per_value[2] = {kFp32Bytes, kFp16Bytes};
    for (int i = 0; i < 2; ++i) {
        sizes.per_token_per_layer[i] = config.kvBytesPerTokenPerLayer(bytes_per_value[i]);
        sizes.per_token[i] =
            checkedMul(sizes.per_token_per_layer[i], config.n_layers, "KV bytes per token");
        sizes.at_context[i] =
            checkedMul(sizes.per_token[i], config.max_context, "KV bytes at the full context");
    }
    return sizes;
}

std::string ModelInfo::formatLabel() const {
    switch (format) {
        case ModelFormat::Builtin:
            return "builtin";
        case ModelFormat::Gguf:
            return "GGUF v" + std::to_string(gguf_version);
        case ModelFormat::Llama2c:
            return "llama2.c";
    }
    return "?";
}

std::vector<TensorTypeCount> countTensorTypes(const std::vector<TensorSummary>& tensors) {
    std::vector<TensorTypeCount> counts;
    for (const TensorSummary& t : tensors) {
        auto it = std::find_if(counts.begin(), counts.end(),
                               [&](const TensorTypeCount& c) { return c.type == t.type; });
        if (it == counts.end()) it = counts.insert(counts.end(), TensorTypeCount{t.type, 0, 0});
        ++it->count;
        it->bytes = checkedAdd(it->bytes, t.bytes, "tensor bytes");
    }
    return counts;
}

ModelInfo readModelInfo(std::string_view reference) {
    const ModelFormat format = detectModelFormat(reference);
    if (format == ModelFormat::Gguf) return readGgufInfo(std::string(reference));
    return loadedModelInfo(reference, format);
}

}  // namespace kvscope::cli

#pragma once
// GGUF -> Model: the metadata keys of the architectures KVScope runs (gguf_architecture.h)
// become a ModelConfig, its tensors ModelWeights viewed in place (gguf_weights.h), its embedded
// vocabulary a Tokenizer (gguf_tokenizer.h).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/model/gguf_file.h"
#include "core/model/gguf_tokenizer.h"
#include "core/model/model.h"

namespace kvscope {

struct GgufModelOptions {
    /// When > 0, max_context = min(<arch>.context_length, max_context_cap). 0 keeps the file's
    /// value. (stories260K.gguf says 2048 but the model was trained at 512: the caller decides.)
    std::int64_t max_context_cap = 0;
    /// false: loadGgufModel checks every tensor's name, dims and type but reads no weight values
    /// (only the small vectors: norms, biases, RoPE factors), so that `info` can say whether a
    /// file runs without reading gigabytes. Such a Model is for that check only.
    bool check_values = true;
};

/// general.name, unless absent or as generic as general.architecture ("llama"): then the file
/// name.
std::string ggufModelName(const GgufFile& file);

/// What the header says about a model, without its tensor data or tokenizer: what the memory
/// calculator needs.
struct GgufModelInfo {
    ModelConfig config;
    std::string architecture;         // general.architecture
    std::int64_t context_length = 0;  // <arch>.context_length as the file says it
    std::int64_t weight_bytes = 0;    // sum of the tensors' stored byte sizes
    std::vector<std::pair<std::string, std::int64_t>> tensor_types;  // ("Q8_0", 37), in file order
};

/// Reads the model's shape from the metadata and the tensor table only (tensor data is never
/// touched, so this is fast on a multi-GB file). Uses the "<arch>." keys of llama.cpp, so it also
/// sizes llama-like architectures that loadGgufModel cannot run. Defaults when a key is absent:
/// head_count_kv = head_count, head_dim = embedding_length / head_count (unless
/// attention.key_length says otherwise), rope.freq_base 10000, RMS norm epsilon 1e-5; vocab from
/// tokenizer.ggml.tokens, else <arch>.vocab_size, else token_embd; tied output when there is no
/// output.weight; name = general.name, else the file name. A runnable architecture's own keys
/// fill the architecture fields (readArchitectureConfig). Throws InputError naming the key for a
/// missing or invalid value, or when the shape fails ModelConfig::validate().
GgufModelInfo readGgufModelInfo(const GgufFile& file, const GgufModelOptions& options = {});
/// readGgufModelInfo(file, options).config.
ModelConfig readGgufConfig(const GgufFile& file, const GgufModelOptions& options = {});

/// A runnable Model. Throws InputError when general.architecture is not one KVScope runs
/// (runnableArchitectureNames()), the file asks for a RoPE scaling it does not compute, the
/// tokenizer is unsupported, or a tensor is missing, unused, has the wrong shape or a type that
/// cannot be dequantized (the file still opens for its metadata in every such case).
Model loadGgufModel(const GgufFile& file, const GgufModelOptions& options = {});
Model loadGgufModel(const std::string& path, const GgufModelOptions& options = {});

}  // namespace kvscope

#pragma once
// What `kvscope-cli info` shows about a model, gathered from any model reference. A built-in
// model or a llama2.c checkpoint is loaded and its tensors are listed from the fp32 weights; a
// GGUF file is described from its header (readGgufModelInfo and the tensor table): no weight
// matrix is read or dequantized (whether it runs is the loader's check without the values), so
// files that cannot be run (another architecture, tokenizer or tensor type) can still be
// described.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/gguf_value.h"
#include "core/model/model.h"
#include "core/model/model_source.h"

namespace kvscope::cli {

struct TensorSummary {
    std::string name;                 // GGUF naming: "blk.0.attn_q.weight"
    std::string type;                 // ggml type name: "F32", "Q8_0"
    std::vector<std::int64_t> shape;  // outermost first: a matrix is [rows, cols]
    std::int64_t n_elements = 0;
    std::int64_t bytes = 0;  // as stored
};

/// Tensors of one ggml type: how many and their stored bytes.
struct TensorTypeCount {
    std::string type;
    std::int64_t count = 0;
    std::int64_t bytes = 0;
};

/// One GGUF metadata key with its type and a short value (arrays as "[512 x string]").
struct MetadataSummary {
    std::string key;
    std::string type;                 // "uint32", "string", "array[string]"
    std::string value;                // short and printable: 42, "llama" (quoted, cut), [N x type]
    std::optional<GgufValue> scalar;  // the whole value, unless it is an array
    std::int64_t count = 1;           // array elements; 1 for a scalar
};

struct TokenSummary {
    TokenId id = 0;
    std::string label;  // the token's piece; empty when the id is outside the vocabulary
};

struct TokenizerSummary {
    std::string model;       // "llama (SentencePiece BPE)", "byte-level", "none"
    std::string gguf_model;  // tokenizer.ggml.model as the file says it (GGUF only)
    std::int64_t vocab = 0;  // tokens the tokenizer holds (0 when there is none)
    std::optional<TokenSummary> bos;
    std::optional<TokenSummary> eos;
};

/// K+V bytes of a model's cache: [0] fp32, [1] fp16.
struct KvSizes {
    std::int64_t per_token_per_layer[2] = {0, 0};
    std::int64_t per_token[2] = {0, 0};   // all layers
    std::int64_t at_context[2] = {0, 0};  // all layers, config.max_context tokens
};
/// Checked 64-bit arithmetic; throws InputError when a size overflows.
KvSizes kvSizes(const ModelConfig& config);

struct ModelInfo {
    std::string reference;
    ModelFormat format = ModelFormat::Builtin;
    std::uint32_t gguf_version = 0;             // GGUF only
    std::int64_t file_bytes = 0;                // 0 for a built-in model
    std::string architecture;                   // general.architecture; "llama" for the others
    ModelConfig config;                         // max_context: the context length the source states
    std::int64_t parameters = 0;                // elements of every tensor
    std::int64_t weight_bytes = 0;              // bytes of every tensor, as stored
    std::vector<TensorTypeCount> tensor_types;  // in order of first appearance
    TokenizerSummary tokenizer;
    std::vector<TensorSummary> tensors;     // in file (or weight) order
    std::vector<MetadataSummary> metadata;  // GGUF only, in file order
    /// GGUF of an architecture KVScope does not run: why its header does not give a model
    /// shape (a key missing or invalid; then `config` holds only the name, and the shape and KV
    /// cache are not shown); empty when it does. (A runnable architecture's broken key is bad
    /// input instead.)
    std::string shape_problem;
    /// Why KVScope cannot run the model (the loader's message: the architecture, tokenizer, a
    /// tensor's type or shape); empty when it runs.
    std::string cannot_run;

    /// "builtin", "GGUF v3", "llama2.c".
    std::string formatLabel() const;
};

/// Describes `reference` (see detectModelFormat). Throws InputError naming the reference and the
/// problem when it is not a model, a GGUF file cannot be parsed, or a runnable architecture's
/// keys are missing or invalid; another architecture's header that gives no model shape is
/// described without it (ModelInfo::shape_problem).
ModelInfo readModelInfo(std::string_view reference);

/// The GGUF part of readModelInfo: header only.
ModelInfo readGgufInfo(const std::string& path);

/// Tensor counts and bytes per type, in order of first appearance.
std::vector<TensorTypeCount> countTensorTypes(const std::vector<TensorSummary>& tensors);

}  // namespace kvscope::cli

#pragma once
// The architecture-specific metadata of a GGUF: which general.architecture values KVScope runs,
// and the "<arch>." keys that fill ModelConfig's architecture fields, read with llama.cpp's
// defaults (src/llama-model.cpp, src/models/<arch>.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/gguf_file.h"
#include "core/model/model_config.h"

namespace kvscope {

/// The Architecture of a general.architecture name KVScope runs; nullopt for any other.
std::optional<Architecture> runnableArchitecture(std::string_view name);
/// "llama, qwen2, qwen3, gemma2, gemma3, phi3": for messages.
std::string runnableArchitectureNames();

/// Which of n_layers layers are local (sliding-window), from the file's
/// `<prefix>attention.sliding_window_pattern`: an array of bools (true = local), or a period P
/// (layer l is local when l % P < P - 1, llama.cpp's set_swa_pattern; P = 0 makes every layer
/// local, P = 1 none); `default_period` when the key is absent. The engine's config and the
/// Memory view's shape both read the pattern here. Throws InputError naming the key.
std::vector<bool> ggufSlidingWindowPattern(const GgufFile& file, const std::string& prefix,
                                           std::int64_t n_layers, std::int64_t default_period);

/// Fills the architecture fields of `c` (arch and everything after it in ModelConfig) from the
/// file's keys; c's sizes (head_dim, n_heads, d_model, n_layers) must already be read. Per
/// architecture, as llama.cpp does:
/// - llama: RoPE on adjacent pairs; qwen2, qwen3, gemma2, gemma3, phi3: on halves (NEOX).
/// - every one: rope.dimension_count (default head_dim), rope.scaling.factor (or
///   rope.scale_linear) as freq_scale = 1/factor unless rope.scaling.type is "none",
///   rope.scaling.attn_factor, rope.scaling.original_context_length (default context_length),
///   the scaling type (LongRoPE when rope_factors_long/short tensors are there or the type says
///   "longrope"; YaRN for "yarn"), Q/K/V biases when blk.0 has them.
/// - qwen3, gemma3: Q/K norms. gemma2, gemma3: post-norms, embeddings x sqrt(d_model), GeGLU,
///   query scale 1/sqrt(head_dim) (1/sqrt(d_model/n_heads) for the 27B models, 46 and 62
///   layers), final_logit_softcapping (gemma2 default 30), attn_logit_softcapping (gemma2
///   only, default 50), sliding windows: attention.sliding_window (gemma2 default 4096; gemma3
///   only when present and > 0), attention.sliding_window_pattern (a period P: layer l is local
///   unless l % P == P - 1, default 2 for gemma2 and 6 for gemma3; or an array of bools), and
///   rope.freq_base_swa (default: rope_theta for gemma2, 10000 for gemma3) with freq_scale 1 on
///   gemma3's local layers.
/// - phi3: attention.sliding_window on every layer, as Hugging Face's Phi-3 applies it, when it
///   is > 0 and shorter than context_length (llama.cpp ignores it: it disabled Phi's windows in
///   PR 13676, unsure which layers they cover; Phi-4 writes 0, Phi-3 128k 262144).
/// Throws InputError naming the key for a value out of range.
void readArchitectureConfig(const GgufFile& file, Architecture arch, ModelConfig& c);

/// Throws InputError naming the key when the file asks for a RoPE scaling type the engine does
/// not compute (only none, linear, yarn and longrope run).
void checkArchitectureRunnable(const GgufFile& file, Architecture arch);

}  // namespace kvscope

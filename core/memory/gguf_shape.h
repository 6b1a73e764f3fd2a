#pragma once
// The memory calculator's shape of a GGUF file whose architecture is a hybrid, windowed or
// chunked one, read from llama.cpp's metadata keys (src/llama-arch.cpp names them, src/llama-
// model.cpp reads them): per-layer `<arch>.attention.head_count_kv` arrays (0 = a layer without
// attention), `<arch>.attention.sliding_window`, `<arch>.full_attention_interval`, the
// `<arch>.ssm.*` and `<arch>.shortconv.l_cache` state sizes. Plain Llama-like files keep their
// reader (readGgufModelInfo + shapeFromModelConfig).
//
// Layer rules (as llama.cpp's llama_model::load_hparams sets them; its constants are named in the
// provenance): gemma2 and gpt-oss: every other layer sliding from layer 0 (set_swa_pattern(2));
// gemma3: layer i global when (i + 1) % 6 == 0 (set_swa_pattern(6)); llama4: chunked attention of
// 8192 tokens, layer i global when (i + 1) % 4 == 0 (llama.cpp fixes both for Scout and
// Maverick); qwen3next: layer i attention when (i + 1) % full_attention_interval == 0 (default 4),
// the others gated DeltaNet; lfm2, granitehybrid, jamba: layers with 0 KV heads have no
// attention; falcon-h1: every layer has attention and a Mamba-2 mixer.
// State sizes: qwen3next ssm.conv_kernel, ssm.state_size (key head dim), ssm.group_count (key
// heads), ssm.time_step_rank (value heads), ssm.inner_size (value heads x value head dim); Mamba-2
// ssm.conv_kernel, ssm.inner_size, ssm.state_size, ssm.time_step_rank (heads), ssm.group_count;
// jamba (Mamba-1) ssm.conv_kernel, ssm.inner_size, ssm.state_size; lfm2 shortconv.l_cache. State
// values in 2 bytes (16-bit assumed: a GGUF stores quantized weights, not the serving dtype).
#include <string>

#include "core/memory/model_file.h"
#include "core/model/gguf_file.h"

namespace kvscope {

/// True when `architecture` is read by readGgufShape rather than the Llama reader.
bool isHybridGgufArchitecture(const std::string& architecture);

/// Reads the shape (and weight layout) of such a file. Throws InputError naming the key for a
/// missing or contradictory value.
ModelFileShape readGgufShape(const GgufFile& file);

}  // namespace kvscope

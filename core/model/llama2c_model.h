#pragma once
// llama2.c checkpoints (run.c's legacy "version 0" .bin) and their tokenizer.bin -> Model.
//
// The .bin: 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len), a
// negative vocab_size meaning an untied classifier, then fp32 tensors, each for all layers at
// once (head_size = dim / n_heads, q_dim = n_heads * head_size, kv_dim = n_kv_heads * head_size):
//   token_embedding_table [vocab][dim]
//   rms_att_weight        [n_layers][dim]
//   wq                    [n_layers][q_dim][dim]       row-major (out, in), as our wq
//   wk, wv                [n_layers][kv_dim][dim]
//   wo                    [n_layers][dim][q_dim]
//   rms_ffn_weight        [n_layers][dim]
//   w1 (gate)             [n_layers][hidden_dim][dim]
//   w2 (down)             [n_layers][dim][hidden_dim]
//   w3 (up)               [n_layers][hidden_dim][dim]
//   rms_final_weight      [dim]
//   freq_cis_real, _imag  [seq_len * head_size / 2] each, unused (RoPE is computed)
//   wcls                  [vocab][dim]                 only when vocab_size < 0
#include <cstdint>
#include <string>

#include "core/model/model.h"

namespace kvscope {

/// Loads `checkpoint_path` and its tokenizer. The file is memory-mapped and its matrices are used
/// in place (fp32 views, WeightMatrix::isView()): loading copies only the norm vectors, so a
/// model takes about its file's size in memory, not twice it. An empty `tokenizer_path` means
/// "tokenizer.bin" beside the checkpoint. The config gets head_dim = dim / n_heads, rope_theta
/// 10000, norm_eps 1e-5, max_context = seq_len, and the checkpoint's file stem as its name. Throws
/// InputError naming the file and what is wrong before allocating anything the file cannot hold:
/// header fields <= 0, dim not divisible by n_heads, n_heads not divisible by n_kv_heads, 64-bit
/// overflow, a file size other than exactly the header plus the tensors it implies, a newer export
/// format ("ak42" magic), a missing or malformed tokenizer.
Model loadLlama2cModel(const std::string& checkpoint_path, const std::string& tokenizer_path = "");

/// The config alone, as loadLlama2cModel makes it, from the header and the file size (no tensor
/// is read, no tokenizer needed); the same InputErrors for a bad header or size.
ModelConfig readLlama2cConfig(const std::string& checkpoint_path);

}  // namespace kvscope

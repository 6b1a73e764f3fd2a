#pragma once
// The models `kvscope-cli bench` measures, named by `--models`: the built-in models, a
// 15M-parameter-class Llama shape (llama2.c's stories15M: d_model 288, 6 layers, 6 heads) with
// random weights, the real stories260K from the shared models directory, or any model file.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model.h"

namespace kvscope::cli {

struct BenchModel {
    std::string name;  // as the report shows it
    std::shared_ptr<const Model> model;
    std::string entry;  // the --models entry it came from ("15M-Q4_K"), for loadBenchModel
};

/// The 15M-class shape: d_model 288, 6 layers, 6 heads, 6 KV heads, head_dim 48, d_ff 768,
/// vocab 32000, tied classifier, max context 2048.
ModelConfig config15m();

/// The 15M-class shape whose rows are whole 256-value blocks (k-quants): d_model 512, 4 layers,
/// 8 heads of 64, d_ff 1536, vocab 4096, tied classifier (14.9M parameters); the bench's
/// "15M-F32", "15M-Q8_0" and "15M-Q4_K" hold it in those types (random blocks).
ModelConfig config15mBlocks();

/// Where the bench looks for stories260K.gguf: KVSCOPE_SHARED_MODELS_DIR (the build's
/// ../shared/models) + "/stories260K.gguf".
std::string stories260kPath();

/// "builtin:demo,15M", plus ",stories260K" when stories260kPath() is a file.
std::string defaultBenchModels();

/// One entry of --models: "15M" (the 15M-class config, seeded random weights), "15M-F32",
/// "15M-Q8_0", "15M-Q4_K" (config15mBlocks(), random weights of that type), "stories260K"
/// (stories260kPath(), max_context capped at the 512 tokens it was trained at), or any model
/// reference loadModel() takes. Throws InputError naming --models for an unknown or bad model.
BenchModel loadBenchModel(std::string_view entry);

/// loadBenchModel() of each entry of a comma-separated list. Throws InputError naming --models for
/// an empty list or an empty entry.
std::vector<BenchModel> benchModels(std::string_view list);

}  // namespace kvscope::cli

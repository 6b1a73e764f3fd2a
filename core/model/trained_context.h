#pragma once
// Models whose files state a longer context than they were trained at. llama.cpp's conversion of
// llama2.c's tinyllamas writes llama.context_length 2048 into stories260K.gguf, yet the model
// saw 512 positions in training: past them RoPE extrapolates and the text falls apart. Such
// models are recognized by their shape and capped at their training context when loaded to run.
#include <cstdint>
#include <optional>
#include <string>

#include "core/model/model_config.h"

namespace kvscope {

struct TrainedContext {
    std::string model;    // "tinyllamas stories260K"
    std::int64_t tokens;  // positions seen in training
};

/// The training context of a model with a known shape (d_model, layers, query and KV heads,
/// vocabulary): llama2.c's tinyllamas stories260K (512), stories15M (256), stories42M and
/// stories110M (1024). nullopt for any other shape.
std::optional<TrainedContext> knownTrainedContext(const ModelConfig& config);

/// Caps config.max_context at the known training context when it is longer, and returns the
/// note that says so ("trained at 512 tokens (tinyllamas stories260K); the file says 2048"), or
/// "" when nothing changed.
std::string capAtTrainedContext(ModelConfig& config);

}  // namespace kvscope

#include "core/model/trained_context.h"

#include <array>

namespace kvscope {

namespace {

struct KnownShape {
    const char* model;
    std::int64_t d_model, n_layers, n_heads, n_kv_heads, vocab;
    std::int64_t trained_context;
};

// llama2.c's README, "Models" table: dim, n_layers, n_heads, n_kv_heads, max context length.
constexpr std::array<KnownShape, 4> kKnownShapes = {{
    {"tinyllamas stories260K", 64, 5, 8, 4, 512, 512},
    {"tinyllamas stories15M", 288, 6, 6, 6, 32000, 256},
    {"tinyllamas stories42M", 512, 8, 8, 8, 32000, 1024},
    {"tinyllamas stories110M", 768, 12, 12, 12, 32000, 1024},
}};

}  // namespace

std::optional<TrainedContext> knownTrainedContext(const ModelConfig& c) {
    for (const KnownShape& k : kKnownShapes) {
        if (c.d_model == k.d_model && c.n_layers == k.n_layers && c.n_heads == k.n_heads &&
            c.n_kv_heads == k.n_kv_heads && c.vocab == k.vocab)
            return TrainedContext{k.model, k.trained_context};
    }
    return std::nullopt;
}

std::string capAtTrainedContext(ModelConfig& config) {
    const std::optional<TrainedContext> trained = knownTrainedContext(config);
    if (!trained || trained->tokens >= config.max_context) return "";
    const std::int64_t stated = config.max_context;
    config.max_context = trained->tokens;
    return "trained at " + std::to_string(trained->tokens) + " tokens (" + trained->model +
           "); the file says " + std::to_string(stated);
}

}  // namespace kvscope

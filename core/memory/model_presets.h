#pragma once
// Built-in model presets (resources/model_presets.json, embedded): each holds the config.json
// fields it is built from, read with readHfConfig, so a preset and the real config agree.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/memory/model_shape.h"
#include "core/memory/weight_count.h"
#include "core/util/json_value.h"

namespace kvscope {

struct ModelPreset {
    std::string preset;  // the CLI name: "llama-3.1-8b"
    std::string family;  // "Llama 3.1", "DeepSeek (MLA, MoE)"
    std::string note;    // anything the config does not say; may be empty
    ModelShape shape;
    WeightLayout layout;
    std::int64_t published_parameters = 0;  // MoE: the vendor's total; 0 = count from the shape
    std::string parameters_source;
};

/// Reads a model_presets.json document. Throws InputError naming the entry on any problem.
std::vector<ModelPreset> readModelPresets(const JsonValue& root);
/// The embedded presets (parsed once).
const std::vector<ModelPreset>& modelPresets();
/// Lookup by preset name (case-insensitive); throws InputError listing the names.
const ModelPreset& findModelPreset(std::string_view name);

}  // namespace kvscope

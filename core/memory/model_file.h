#pragma once
// The shape of a model file for the memory calculator: a Hugging Face config.json, or a GGUF file
// read to the end of its header (no tensor data), as `kvscope-cli memory --config/--model` read
// them.
#include <string>

#include "core/memory/model_shape.h"
#include "core/memory/weight_count.h"

namespace kvscope {

struct ModelFileShape {
    ModelShape shape;
    WeightLayout layout;
};

/// A ".json" file is read as config.json (readHfConfigFile); any other file must start with the
/// GGUF magic (readGgufModelInfo). Throws InputError naming the path and what is wrong.
ModelFileShape readModelFileShape(const std::string& path);

}  // namespace kvscope

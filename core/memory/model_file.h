#pragma once
// The shape of a model file for the memory calculator: a Hugging Face config.json, a GGUF file
// read to the end of its header, or a llama2.c checkpoint's header (no tensor data), as
// `kvscope-cli memory --config/--model` read them.
#include <string>

#include "core/memory/model_shape.h"
#include "core/memory/weight_count.h"

namespace kvscope {

struct ModelFileShape {
    ModelShape shape;
    WeightLayout layout;
};

/// A ".json" file is read as config.json (readHfConfigFile), a ".bin" as a llama2.c checkpoint's
/// header (readLlama2cConfig); any other file must start with the GGUF magic
/// (readGgufModelInfo). Throws InputError naming the path and what is wrong.
ModelFileShape readModelFileShape(const std::string& path);

}  // namespace kvscope

#pragma once
// Resolves a model reference to a loaded Model: a built-in name ("builtin:demo", ...), a GGUF
// file (recognised by its magic), or a llama2.c checkpoint (a ".bin" with tokenizer.bin beside).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model.h"

namespace kvscope {

/// The model references that need no file: "builtin:demo", "builtin:demo-mha", ...
std::vector<std::string> builtinModelNames();

/// How a reference will be read.
enum class ModelFormat { Builtin, Gguf, Llama2c };

/// Decides the format of `reference` without loading it: "builtin:..." names, files starting
/// with the GGUF magic, and ".bin" files. Throws InputError naming the reference when it is an
/// unknown built-in, a missing file, or a file of neither format.
ModelFormat detectModelFormat(std::string_view reference);

/// Loads `reference` (any format above). A GGUF whose shape is a known model with a shorter
/// training context than the file states (knownTrainedContext) gets max_context = that context.
/// Throws InputError naming the reference and the problem.
std::shared_ptr<const Model> loadModel(std::string_view reference);

}  // namespace kvscope

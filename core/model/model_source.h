#pragma once
// Resolves a model reference ("builtin:demo", later a file path) to a loaded Model.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model.h"

namespace kvscope {

/// The model references that need no file: "builtin:demo", "builtin:demo-mha", ...
std::vector<std::string> builtinModelNames();

/// Loads `reference`. Throws InputError naming the reference and the known ones when unknown.
std::shared_ptr<const Model> loadModel(std::string_view reference);

}  // namespace kvscope

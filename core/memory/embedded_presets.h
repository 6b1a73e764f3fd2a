#pragma once
// The preset files of resources/, compiled into kvscope_core (core/CMakeLists.txt generates
// embedded_presets.cpp from them with file(READ) + configure_file), so no path is needed at run
// time and core stays free of Qt resources.
#include <string_view>

namespace kvscope {

/// resources/model_presets.json, verbatim.
std::string_view embeddedModelPresetsJson();
/// resources/gpus.json, verbatim.
std::string_view embeddedGpusJson();

}  // namespace kvscope

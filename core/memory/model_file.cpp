#include "core/memory/model_file.h"

#include "core/memory/hf_config.h"
#include "core/model/gguf_model.h"
#include "core/model/model_source.h"
#include "core/util/error.h"
#include "core/util/json_value.h"

namespace kvscope {

namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ModelFileShape readModelFileShape(const std::string& path) {
    ModelFileShape out;
    if (endsWith(path, ".json")) {
        out.shape = readHfConfigFile(path);
        out.layout = weightLayoutFromConfig(parseJsonFile(path, kMaxHfConfigBytes));
        return out;
    }
    if (detectModelFormat(path) != ModelFormat::Gguf) {
        throw InputError(path + ": not a config.json (.json) or a GGUF file");
    }
    const GgufModelInfo info = readGgufModelInfo(GgufFile::open(path));
    out.shape = shapeFromModelConfig(info.config, "GGUF " + path);
    out.layout = {info.config.tied_output, 3, "tied output and SwiGLU from GGUF " + path};
    return out;
}

}  // namespace kvscope

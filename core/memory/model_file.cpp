#include "core/memory/model_file.h"

#include "core/memory/gguf_shape.h"
#include "core/memory/hf_config.h"
#include "core/model/gguf_model.h"
#include "core/model/llama2c_model.h"
#include "core/model/model_source.h"
#include "core/model/trained_context.h"
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
    const ModelFormat format = detectModelFormat(path);
    if (format == ModelFormat::Llama2c) {
        const ModelConfig config = readLlama2cConfig(path);
        out.shape = shapeFromModelConfig(config, "llama2.c " + path);
        out.layout = {config.tied_output, 3, "tied output (vocab_size sign) from llama2.c " + path};
        return out;
    }
    if (format != ModelFormat::Gguf) {
        throw InputError(path + ": not a config.json (.json), a GGUF or a llama2.c .bin file");
    }
    const GgufFile file = GgufFile::open(path);
    if (const std::optional<std::string> arch = file.findString("general.architecture");
        arch && isHybridGgufArchitecture(*arch)) {
        return readGgufShape(file);
    }
    GgufModelInfo info = readGgufModelInfo(file);
    // The calculator walks every layer: an absurd count is refused, as the other readers do.
    if (info.config.n_layers > kMaxHfConfigLayers) {
        throw InputError("GGUF " + path + ": llama.block_count = " +
                         std::to_string(info.config.n_layers) + " is more than the " +
                         std::to_string(kMaxHfConfigLayers) + " layers the calculator takes");
    }
    // As loadModel runs it: a known model's training context, not a longer one in the file
    // (stories260K.gguf says 2048, its llama2.c .bin 512).
    capAtTrainedContext(info.config);
    out.shape = shapeFromModelConfig(info.config, "GGUF " + path);
    out.layout = {info.config.tied_output, 3, "tied output and SwiGLU from GGUF " + path};
    return out;
}

}  // namespace kvscope

#include "core/memory/model_presets.h"

#include <algorithm>
#include <cctype>

#include "core/memory/embedded_presets.h"
#include "core/memory/hf_config.h"
#include "core/util/error.h"

namespace kvscope {

std::vector<ModelPreset> readModelPresets(const JsonValue& root) {
    std::vector<ModelPreset> presets;
    for (const JsonValue& entry : root.at("models").items()) {
        ModelPreset preset;
        preset.preset = entry.at("preset").asString();
        preset.family = entry.at("family").asString();
        if (const JsonValue* note = entry.find("note")) preset.note = note->asString();
        const JsonValue& config = entry.at("config");
        preset.shape = readHfConfig(config, "preset " + preset.preset);
        preset.shape.source = "preset " + preset.preset + " (resources/model_presets.json)";
        preset.layout = weightLayoutFromConfig(config);
        if (const JsonValue* params = entry.find("published_parameters")) {
            preset.published_parameters = params->asInt64();
            if (preset.published_parameters <= 0) params->fail("must be > 0");
            preset.parameters_source = entry.at("parameters_source").asString();
        }
        presets.push_back(std::move(preset));
    }
    return presets;
}

const std::vector<ModelPreset>& modelPresets() {
    static const std::vector<ModelPreset> presets =
        readModelPresets(parseJson(embeddedModelPresetsJson(), "resources/model_presets.json"));
    return presets;
}

const ModelPreset& findModelPreset(std::string_view name) {
    const auto lower = [](std::string_view text) {
        std::string out(text);
        for (char& c : out)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        return out;
    };
    for (const ModelPreset& preset : modelPresets()) {
        if (preset.preset == lower(name)) return preset;
    }
    std::string names;
    for (const ModelPreset& preset : modelPresets()) {
        names += (names.empty() ? "" : ", ") + preset.preset;
    }
    throw InputError("unknown model preset '" + std::string(name) + "' (known: " + names + ")");
}

}  // namespace kvscope

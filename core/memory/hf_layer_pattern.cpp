#include "core/memory/hf_layer_pattern.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace kvscope {

namespace {

void setNoWindow(ModelShape& shape, const std::string& origin) {
    shape.sliding_window = 0;
    shape.layer_is_local.assign(std::size_t(shape.n_layers), false);
    shape.setOrigin("sliding_window", origin);
    shape.setOrigin("layer_is_local", origin + ": every layer global");
}

/// Every layer local for now; the caller marks the global ones and says why.
void setWindow(ModelShape& shape, const ConfigSize& window) {
    shape.sliding_window = window.value;
    shape.setOrigin("sliding_window", window.origin);
    shape.layer_is_local.assign(std::size_t(shape.n_layers), true);
}

/// `layer_types`: one "sliding_attention" or "full_attention" per layer.
void applyLayerTypes(const ConfigKeys& keys, const ConfigKey& types,
                     const std::optional<ConfigSize>& window, std::string_view layers_key,
                     ModelShape& shape) {
    const JsonItems items = types.value->items();
    if (std::int64_t(items.size()) != shape.n_layers) {
        types.value->fail("has " + std::to_string(items.size()) + " entries but " +
                          std::string(layers_key) + " is " + std::to_string(shape.n_layers));
    }
    std::vector<bool> local(items.size(), false);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string& type = items[i].asString();
        if (type == "sliding_attention") {
            local[i] = true;
        } else if (type != "full_attention") {
            items[i].fail("unsupported layer type " + singleQuoted(type) +
                          " (this reader knows 'sliding_attention' and 'full_attention')");
        }
    }
    const std::string origin = "config.json key " + singleQuoted(types.name);
    if (std::find(local.begin(), local.end(), true) == local.end()) {
        setNoWindow(shape, origin + " lists no sliding_attention layer");
        return;
    }
    if (!window || window->value == 0) {
        keys.fail(types.name +
                  " lists sliding_attention layers but sliding_window is absent, null or 0");
    }
    setWindow(shape, *window);
    shape.layer_is_local = std::move(local);
    shape.setOrigin("layer_is_local", origin);
}

/// Qwen2 family: with use_sliding_window, layers from max_window_layers on are windowed.
void applyMaxWindowLayers(const ConfigKeys& keys, ModelShape& shape) {
    const std::optional<ConfigSize> first = keys.size({"max_window_layers"}, 0);
    const std::int64_t first_local = first ? std::min(first->value, shape.n_layers) : 0;
    for (std::int64_t i = 0; i < first_local; ++i)
        shape.layer_is_local[std::size_t(i)] = false;
    shape.setOrigin("layer_is_local", "config.json key 'use_sliding_window' = true: layers from " +
                                          std::string(first ? "'max_window_layers' = " : "0 = ") +
                                          std::to_string(first_local) +
                                          " on are local (Qwen2 rule)");
}

/// Gemma 2: local, global, local, ... from layer 0 (the architecture, not the config, says so).
void applyGemma2Alternation(ModelShape& shape) {
    for (std::int64_t i = 1; i < shape.n_layers; i += 2) {
        shape.layer_is_local[std::size_t(i)] = false;
    }
    shape.setOrigin("layer_is_local",
                    "architecture rule for model_type 'gemma2': layers alternate local, global, "
                    "starting with a local layer 0");
}

/// Gemma 3, Cohere 2: layer i is global when (i + 1) % pattern == 0.
void applyWindowPattern(const ConfigSize& pattern, ModelShape& shape) {
    for (std::int64_t i = 0; i < shape.n_layers; ++i) {
        if ((i + 1) % pattern.value == 0) shape.layer_is_local[std::size_t(i)] = false;
    }
    shape.setOrigin("layer_is_local", pattern.origin + " = " + std::to_string(pattern.value) +
                                          ": " + std::to_string(pattern.value - 1) +
                                          " local layers, then 1 global, repeating");
}

}  // namespace

void readSlidingWindows(const ConfigKeys& keys, std::string_view layers_key, ModelShape& shape) {
    const std::optional<ConfigSize> window = keys.size({"sliding_window"}, 0);
    if (const ConfigKey types = keys.find({"layer_types"})) {
        applyLayerTypes(keys, types, window, layers_key, shape);
        return;
    }
    if (const ConfigKey use = keys.find({"use_sliding_window"}); use && !use.value->asBool()) {
        std::string origin = "config.json key " + singleQuoted(use.name) + " = false";
        if (window) {
            origin += " (its " + singleQuoted(window->key) + " " + std::to_string(window->value) +
                      " is unused)";
        }
        setNoWindow(shape, origin);
        return;
    }
    if (!window || window->value == 0) {
        setNoWindow(shape, window ? "config.json key " + singleQuoted(window->key) + " = 0"
                                  : "config.json: no 'sliding_window'");
        return;
    }
    setWindow(shape, *window);
    if (keys.flag("use_sliding_window")) {
        applyMaxWindowLayers(keys, shape);
    } else if (keys.modelType() == "gemma2") {
        applyGemma2Alternation(shape);
    } else if (const std::optional<ConfigSize> pattern = keys.size({"sliding_window_pattern"})) {
        applyWindowPattern(*pattern, shape);
    } else {
        shape.setOrigin("layer_is_local",
                        "config.json key " + singleQuoted(window->key) +
                            " with no layer pattern: every layer local (as Mistral 7B v0.1)");
    }
}

void readCrossAttentionLayers(const ConfigKeys& keys, ModelShape& shape) {
    const ConfigKey key = keys.find({"cross_attention_layers"});
    if (!key) {
        shape.setOrigin("cross_attention_layers", "config.json: absent, none");
        return;
    }
    std::vector<bool> listed(std::size_t(shape.n_layers), false);
    for (const JsonValue& item : key.value->items()) {
        const std::int64_t layer = item.asInt64();
        if (layer < 0 || layer >= shape.n_layers) {
            item.fail("layer index " + std::to_string(layer) + " is outside [0, " +
                      std::to_string(shape.n_layers) + ")");
        }
        if (listed[std::size_t(layer)]) {
            item.fail("layer " + std::to_string(layer) + " is listed twice");
        }
        listed[std::size_t(layer)] = true;
    }
    shape.cross_attention_layers.clear();
    for (std::int64_t i = 0; i < shape.n_layers; ++i) {
        if (listed[std::size_t(i)]) shape.cross_attention_layers.push_back(i);
    }
    shape.setOrigin("cross_attention_layers", "config.json key " + singleQuoted(key.name));
}

}  // namespace kvscope

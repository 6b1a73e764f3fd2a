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

/// What one entry of `layer_types` (or a hybrid key) makes a layer.
enum class LayerRole { Global, Local, Chunked, Stateful };

/// Names `layer_types` uses (transformers): attention kinds and the layers without attention.
std::optional<LayerRole> roleOf(const std::string& type) {
    if (type == "full_attention" || type == "attention") return LayerRole::Global;
    if (type == "sliding_attention") return LayerRole::Local;
    if (type == "chunked_attention") return LayerRole::Chunked;
    if (type == "linear_attention" || type == "conv" || type == "mamba") return LayerRole::Stateful;
    return std::nullopt;
}

/// Marks `layers` as having no attention and keeping a recurrent state of kind `type`.
void setStateful(ModelShape& shape, const std::vector<std::int64_t>& layers,
                 const std::string& type, const std::string& origin) {
    shape.kv_free_layers = layers;
    shape.state_layers = layers;
    shape.state.kind = type;
    shape.setOrigin("kv_free_layers", origin);
    shape.setOrigin("state_layers", origin);
}

/// `layer_types`: one entry per layer (see roleOf); every stateful entry must be one type.
void applyLayerTypes(const ConfigKeys& keys, const ConfigKey& types,
                     const std::optional<ConfigSize>& window, std::string_view layers_key,
                     ModelShape& shape) {
    const JsonItems items = types.value->items();
    if (std::int64_t(items.size()) != shape.n_layers) {
        types.value->fail("has " + std::to_string(items.size()) + " entries but " +
                          std::string(layers_key) + " is " + std::to_string(shape.n_layers));
    }
    std::vector<bool> local(items.size(), false);
    std::vector<std::int64_t> chunked, stateful;
    std::string state_type;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string& type = items[i].asString();
        const std::optional<LayerRole> role = roleOf(type);
        if (!role) {
            items[i].fail("unsupported layer type " + singleQuoted(type) +
                          " (this reader knows 'full_attention', 'attention', "
                          "'sliding_attention', 'chunked_attention', 'linear_attention', 'conv' "
                          "and 'mamba')");
        }
        if (*role == LayerRole::Local) local[i] = true;
        if (*role == LayerRole::Chunked) chunked.push_back(std::int64_t(i));
        if (*role == LayerRole::Stateful) {
            if (!state_type.empty() && type != state_type) {
                items[i].fail("mixes layer types " + singleQuoted(state_type) + " and " +
                              singleQuoted(type) + " (one kind of recurrent layer per model)");
            }
            state_type = type;
            stateful.push_back(std::int64_t(i));
        }
    }
    const std::string origin = "config.json key " + singleQuoted(types.name);
    if (!stateful.empty()) setStateful(shape, stateful, state_type, origin);
    shape.chunked_layers = chunked;
    if (!chunked.empty()) shape.setOrigin("chunked_layers", origin);
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

/// The attention layers of a hybrid model as its own keys give them (without `layer_types`):
/// returns the stateful layers and the layer type they are, or nullopt when no key applies.
struct HybridPattern {
    std::vector<bool> attention;  // [n_layers] true: the layer is an attention layer
    std::string state_type;       // the layer_types name of the others
    std::string key;              // the key (or rule) it came from
    std::string origin;
};

std::optional<HybridPattern> hybridPattern(const ConfigKeys& keys, const ModelShape& shape) {
    const std::size_t n = std::size_t(shape.n_layers);
    // Qwen3-Next: layer i is full attention when (i + 1) % interval == 0 (Qwen3NextConfig).
    if (const std::optional<ConfigSize> interval = keys.size({"full_attention_interval"})) {
        HybridPattern p{std::vector<bool>(n), "linear_attention", interval->key, ""};
        for (std::size_t i = 0; i < n; ++i)
            p.attention[i] = (std::int64_t(i) + 1) % interval->value == 0;
        p.origin = interval->origin + " = " + std::to_string(interval->value) +
                   ": layer i is full attention when (i + 1) % " + std::to_string(interval->value) +
                   " == 0, the others linear attention";
        return p;
    }
    // LFM2's first checkpoints: the attention layers listed; the others short convolutions.
    if (const ConfigKey idxs = keys.find({"full_attn_idxs"})) {
        HybridPattern p{std::vector<bool>(n), "conv", idxs.name, ""};
        for (const JsonValue& item : idxs.value->items()) {
            const std::int64_t layer = item.asInt64();
            if (layer < 0 || layer >= shape.n_layers) {
                item.fail("layer index " + std::to_string(layer) + " is outside [0, " +
                          std::to_string(shape.n_layers) + ")");
            }
            if (p.attention[std::size_t(layer)]) {
                item.fail("layer " + std::to_string(layer) + " is listed twice");
            }
            p.attention[std::size_t(layer)] = true;
        }
        p.origin = "config.json key " + singleQuoted(idxs.name) +
                   ": the attention layers; the others short convolutions";
        return p;
    }
    // Jamba: layer i is attention when i % attn_layer_period == attn_layer_offset (JambaConfig).
    if (const std::optional<ConfigSize> period = keys.size({"attn_layer_period"})) {
        const std::optional<ConfigSize> offset = keys.size({"attn_layer_offset"}, 0);
        if (!offset) keys.failMissing({"attn_layer_offset"}, "attn_layer_period needs it");
        if (offset->value >= period->value) {
            keys.fail(offset->key + " " + std::to_string(offset->value) + " must be less than " +
                      period->key + " " + std::to_string(period->value));
        }
        HybridPattern p{std::vector<bool>(n), "mamba", period->key, ""};
        for (std::size_t i = 0; i < n; ++i)
            p.attention[i] = std::int64_t(i) % period->value == offset->value;
        p.origin = "config.json keys " + singleQuoted(period->key) + " = " +
                   std::to_string(period->value) + ", " + singleQuoted(offset->key) + " = " +
                   std::to_string(offset->value) + ": layer i is attention when i % " +
                   std::to_string(period->value) + " == " + std::to_string(offset->value) +
                   ", the others Mamba";
        return p;
    }
    return std::nullopt;
}

/// A config that lists layer_types and also a hybrid key must agree with itself.
void checkAgrees(const ConfigKeys& keys, const ConfigKey& types, const HybridPattern& pattern) {
    const JsonItems items = types.value->items();
    for (std::size_t i = 0; i < items.size() && i < pattern.attention.size(); ++i) {
        const std::optional<LayerRole> role = roleOf(items[i].asString());
        const bool attention = role && *role != LayerRole::Stateful;
        if (attention != pattern.attention[i]) {
            keys.fail("contradictory keys: " + types.name + "[" + std::to_string(i) + "] is " +
                      singleQuoted(items[i].asString()) + " but " + pattern.key + " makes layer " +
                      std::to_string(i) +
                      (pattern.attention[i] ? " an attention layer" : " " + pattern.state_type));
        }
    }
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

namespace {

void readLayerKinds(const ConfigKeys& keys, std::string_view layers_key, ModelShape& shape) {
    const std::optional<ConfigSize> window = keys.size({"sliding_window"}, 0);
    const std::optional<HybridPattern> hybrid = hybridPattern(keys, shape);
    if (const ConfigKey types = keys.find({"layer_types"})) {
        if (hybrid) checkAgrees(keys, types, *hybrid);
        applyLayerTypes(keys, types, window, layers_key, shape);
        return;
    }
    if (hybrid) {
        std::vector<std::int64_t> stateful;
        for (std::int64_t i = 0; i < shape.n_layers; ++i) {
            if (!hybrid->attention[std::size_t(i)]) stateful.push_back(i);
        }
        setStateful(shape, stateful, hybrid->state_type, hybrid->origin);
    } else if (keys.modelType() == "falcon_h1") {
        // Falcon-H1: every layer runs attention and a Mamba-2 mixer side by side.
        std::vector<std::int64_t> every(std::size_t(shape.n_layers));
        for (std::int64_t i = 0; i < shape.n_layers; ++i)
            every[std::size_t(i)] = i;
        shape.state_layers = every;
        shape.state.kind = "mamba";
        shape.setOrigin("state_layers",
                        "architecture rule for model_type 'falcon_h1': every layer has attention "
                        "and a Mamba-2 mixer in parallel");
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

}  // namespace

void readSlidingWindows(const ConfigKeys& keys, std::string_view layers_key, ModelShape& shape) {
    shape.kv_free_layers.clear();
    shape.state_layers.clear();
    shape.chunked_layers.clear();
    shape.setOrigin("kv_free_layers", "config.json: no layer without attention");
    shape.setOrigin("state_layers", "config.json: no recurrent layer");
    shape.setOrigin("chunked_layers", "config.json: no chunked attention");
    readLayerKinds(keys, layers_key, shape);
    // A window key beside layers without attention windows only the attention layers.
    for (std::int64_t layer : shape.kv_free_layers)
        shape.layer_is_local[std::size_t(layer)] = false;
    if (shape.nLocalLayers() == 0 && shape.sliding_window > 0 && !shape.kv_free_layers.empty()) {
        shape.sliding_window = 0;
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

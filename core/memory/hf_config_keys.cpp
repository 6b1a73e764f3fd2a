#include "core/memory/hf_config_keys.h"

#include "core/util/error.h"

namespace kvscope {

namespace {

// Gemma3TextConfig's defaults (transformers 4.50+). google/gemma-3-4b-it and larger ship a
// text_config holding only the keys that differ from these.
constexpr ConfigDefault kDefaults[] = {
    {"gemma3_text", "Gemma3TextConfig", "vocab_size", 262208},
    {"gemma3_text", "Gemma3TextConfig", "hidden_size", 2304},
    {"gemma3_text", "Gemma3TextConfig", "intermediate_size", 9216},
    {"gemma3_text", "Gemma3TextConfig", "num_hidden_layers", 26},
    {"gemma3_text", "Gemma3TextConfig", "num_attention_heads", 8},
    {"gemma3_text", "Gemma3TextConfig", "num_key_value_heads", 4},
    {"gemma3_text", "Gemma3TextConfig", "head_dim", 256},
    {"gemma3_text", "Gemma3TextConfig", "max_position_embeddings", 131072},
    {"gemma3_text", "Gemma3TextConfig", "sliding_window", 4096},
    {"gemma3_text", "Gemma3TextConfig", "sliding_window_pattern", 6},
};

}  // namespace

std::string singleQuoted(std::string_view text) {
    std::string out(1, '\'');  // built in place: GCC 12 warns falsely (-Wrestrict) on "'" + s
    out += text;
    out += '\'';
    return out;
}

ConfigKeys::ConfigKeys(const JsonValue& root, std::string_view source)
    : m_root(root), m_text(&root), m_source(source) {
    if (!root.isObject()) {
        fail("expected a JSON object at the top level, got " + root.describe());
    }
    if (const JsonValue* text = root.find("text_config"); text && !text->isNull()) {
        if (!text->isObject()) text->fail("expected an object, got " + text->describe());
        m_text = text;
        m_prefix = "text_config.";
    }
    if (const ConfigKey type = find({"model_type"})) {
        m_model_type = type.value->asString();
    } else if (const ConfigKey top = findAtTop({"model_type"})) {
        m_model_type = top.value->asString();
        // Gemma3Config builds its text model as a Gemma3TextConfig.
        if (m_model_type == "gemma3" && m_text != &m_root) m_model_type = "gemma3_text";
    }
}

ConfigKey ConfigKeys::findIn(const JsonValue& object, const std::string& prefix,
                             std::initializer_list<std::string_view> aliases) const {
    for (std::string_view alias : aliases) {
        const JsonValue* value = object.find(alias);
        if (value && !value->isNull()) return {value, prefix + std::string(alias)};
    }
    return {};
}

ConfigKey ConfigKeys::find(std::initializer_list<std::string_view> aliases) const {
    return findIn(*m_text, m_prefix, aliases);
}

ConfigKey ConfigKeys::findAtTop(std::initializer_list<std::string_view> aliases) const {
    return findIn(m_root, "", aliases);
}

bool ConfigKeys::flag(std::string_view key) const {
    const ConfigKey found = find({key});
    return found && found.value->asBool();
}

std::int64_t ConfigKeys::integer(const ConfigKey& key, std::int64_t min) const {
    const std::int64_t value = key.value->asInt64();
    if (value < min) {
        const std::string bound = min == 1 ? "a positive integer" : ">= " + std::to_string(min);
        key.value->fail("must be " + bound + ", got " + std::to_string(value));
    }
    return value;
}

std::optional<ConfigDefault> ConfigKeys::defaultFor(
    std::initializer_list<std::string_view> aliases) const {
    for (std::string_view alias : aliases) {
        for (const ConfigDefault& entry : kDefaults) {
            if (entry.model_type == m_model_type && entry.key == alias) return entry;
        }
    }
    return std::nullopt;
}

std::optional<ConfigSize> ConfigKeys::size(std::initializer_list<std::string_view> aliases,
                                           std::int64_t min) const {
    if (const ConfigKey key = find(aliases)) {
        return ConfigSize{integer(key, min), key.name, "config.json key " + singleQuoted(key.name)};
    }
    if (const std::optional<ConfigDefault> fallback = defaultFor(aliases)) {
        const std::string key = qualified(fallback->key);
        return ConfigSize{fallback->value, key,
                          "transformers " + std::string(fallback->owner) + " default " +
                              std::to_string(fallback->value) + " (config.json has no " +
                              singleQuoted(key) + ")"};
    }
    return std::nullopt;
}

ConfigSize ConfigKeys::requireSize(std::initializer_list<std::string_view> aliases) const {
    std::optional<ConfigSize> found = size(aliases);
    if (!found) failMissing(aliases, "the model shape needs it");
    return std::move(*found);
}

void ConfigKeys::fail(const std::string& what) const {
    throw InputError("HF config " + m_source + ": " + what);
}

void ConfigKeys::failMissing(std::initializer_list<std::string_view> aliases,
                             const std::string& why) const {
    std::string message = "missing ";
    message += singleQuoted(qualified(*aliases.begin()));
    if (aliases.size() > 1) {
        message += " (also tried";
        for (auto it = aliases.begin() + 1; it != aliases.end(); ++it) {
            message += ' ';
            message += singleQuoted(qualified(*it));
        }
        message += ')';
    }
    fail(message + ": " + why);
}

}  // namespace kvscope

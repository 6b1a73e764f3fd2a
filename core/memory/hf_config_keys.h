#pragma once
// Key lookup for the config.json reader (hf_config*.cpp): which object holds the text model's keys
// (the top level, or `text_config` in multimodal configs), aliases, JSON null as absent,
// transformers defaults for keys a config may leave out, and error messages naming the source.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/json_value.h"

namespace kvscope {

/// A key present in the config with a non-null value.
struct ConfigKey {
    const JsonValue* value = nullptr;
    std::string name;  // as shown to users: "num_key_value_heads", "text_config.head_dim"
    explicit operator bool() const { return value != nullptr; }
};

/// A value transformers' config class supplies when config.json leaves the key out.
struct ConfigDefault {
    std::string_view model_type;  // the config class's model_type: "gemma3_text"
    std::string_view owner;       // the class: "Gemma3TextConfig"
    std::string_view key;
    std::int64_t value;
};

/// A size read from the config (or a transformers default), with where it came from.
struct ConfigSize {
    std::int64_t value = 0;
    std::string key;     // the key it came from, for messages about quantities derived from it
    std::string origin;  // provenance: "config.json key 'n_embd'", "transformers ... default ..."
};

/// 'text' in single quotes, as config keys appear in messages and provenance.
std::string singleQuoted(std::string_view text);

class ConfigKeys {
public:
    /// `root` must be an object (throws InputError otherwise); a `text_config` object in it holds
    /// the text model's keys.
    ConfigKeys(const JsonValue& root, std::string_view source);

    /// The first of `aliases` present in the text model's keys with a non-null value.
    ConfigKey find(std::initializer_list<std::string_view> aliases) const;
    /// Like find(), in the top-level object (for keys such as _name_or_path and torch_dtype).
    ConfigKey findAtTop(std::initializer_list<std::string_view> aliases) const;
    /// True when `key` is present and true; false when absent, null or false; throws when the
    /// value is not a boolean.
    bool flag(std::string_view key) const;
    /// The key's integer value, which must be >= `min`; throws naming the key otherwise.
    std::int64_t integer(const ConfigKey& key, std::int64_t min) const;
    /// The transformers default for the first of `aliases` that has one for this model type.
    std::optional<ConfigDefault> defaultFor(std::initializer_list<std::string_view> aliases) const;
    /// The integer (>= `min`) of the first of `aliases` present, else the transformers default;
    /// nullopt when neither exists.
    std::optional<ConfigSize> size(std::initializer_list<std::string_view> aliases,
                                   std::int64_t min = 1) const;
    /// size(), failing with "missing 'key' (also tried ...)" when absent.
    ConfigSize requireSize(std::initializer_list<std::string_view> aliases) const;

    /// The text model's model_type ("llama", "gemma3_text"); empty when the config has none.
    const std::string& modelType() const { return m_model_type; }
    /// "text_config." when the text model's keys are nested, else "".
    const std::string& prefix() const { return m_prefix; }
    std::string qualified(std::string_view key) const { return m_prefix + std::string(key); }
    const std::string& source() const { return m_source; }

    /// Throws InputError "HF config <source>: <what>".
    [[noreturn]] void fail(const std::string& what) const;
    /// Throws for a missing key: "missing 'num_attention_heads' (also tried 'n_head'): <why>".
    [[noreturn]] void failMissing(std::initializer_list<std::string_view> aliases,
                                  const std::string& why) const;

private:
    ConfigKey findIn(const JsonValue& object, const std::string& prefix,
                     std::initializer_list<std::string_view> aliases) const;

    const JsonValue& m_root;
    const JsonValue* m_text = nullptr;  // m_root or its text_config
    std::string m_prefix;
    std::string m_source;
    std::string m_model_type;
};

}  // namespace kvscope

// The .kvscope.json scenario file: canonical writer and strict reader (see scenario_file.h).
#include "core/trace/scenario_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/trace/eviction_json.h"
#include "core/trace/trace_text.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_value.h"
#include "core/util/json_writer.h"

namespace kvscope {

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// ---- writing -------------------------------------------------------------------------------

/// Builds indented JSON one member at a time: `"key": value` lines, commas between them.
class PrettyObject {
public:
    PrettyObject(std::string& out, int depth) : m_out(out), m_depth(depth) { m_out += '{'; }

    std::string& key(std::string_view name) {
        m_out += m_first ? "\n" : ",\n";
        m_first = false;
        m_out.append(std::size_t(2 * (m_depth + 1)), ' ');
        appendJsonString(m_out, name);
        m_out += ": ";
        return m_out;
    }
    void field(std::string_view name, std::string_view text) { appendJsonString(key(name), text); }
    void field(std::string_view name, std::int64_t number) { key(name) += std::to_string(number); }
    void field(std::string_view name, float number) { appendJsonNumber(key(name), number); }
    void field(std::string_view name, bool flag) { key(name) += flag ? "true" : "false"; }
    void close() {
        if (!m_first) {
            m_out += '\n';
            m_out.append(std::size_t(2 * m_depth), ' ');
        }
        m_out += '}';
    }

private:
    std::string& m_out;
    int m_depth;
    bool m_first = true;
};

void writeViewValue(std::string& out, const ScenarioViewValue& value) {
    std::visit(
        [&out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                out += std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
                appendJsonNumber(out, v);
            } else {
                appendJsonString(out, v);
            }
        },
        value);
}

// ---- reading -------------------------------------------------------------------------------

std::int64_t readInt(const JsonValue& value, std::int64_t min, std::int64_t max = kInt64Max) {
    const std::int64_t number = value.asInt64();
    if (number < min || number > max)
        value.fail("expected a whole number in [" + std::to_string(min) + ", " +
                   std::to_string(max) + "], got " + std::to_string(number));
    return number;
}

float readFloat(const JsonValue& value) {
    const double number = value.asDouble();
    const float narrowed = float(number);
    if (!std::isfinite(narrowed))
        value.fail("the number " + value.describe() + " does not fit a float");
    return narrowed;
}

const std::string& readText(const JsonValue& value, bool allow_empty = true) {
    const std::string& text = value.asString();
    if (!allow_empty && text.empty()) value.fail("must not be empty");
    return text;
}

/// An object member, or nullptr when absent; throws when `object` is not an object.
const JsonValue* optional(const JsonValue& object, std::string_view key) {
    return object.find(key);
}

void checkVersion(const JsonValue& root) {
    checkDocumentVersion(root, kScenarioVersionKey, kScenarioFileVersion, "scenario");
}

void readSampling(const JsonValue& value, SamplingParams& sampling) {
    checkKnownKeys(value, {"temperature", "top_k", "top_p", "seed"});
    if (const JsonValue* t = optional(value, "temperature")) sampling.temperature = readFloat(*t);
    if (const JsonValue* k = optional(value, "top_k")) sampling.top_k = readInt(*k, 0);
    if (const JsonValue* p = optional(value, "top_p")) sampling.top_p = readFloat(*p);
    if (const JsonValue* seed = optional(value, "seed")) {
        // A string: JSON readers commonly lose integers above 2^53, and seeds use all 64 bits.
        const std::string& digits = seed->asString();
        const auto parsed =
            std::from_chars(digits.data(), digits.data() + digits.size(), sampling.seed);
        if (digits.empty() || parsed.ec != std::errc() ||
            parsed.ptr != digits.data() + digits.size())
            seed->fail("expected a decimal string that fits 64 bits unsigned, got " +
                       seed->describe());
    }
    rethrowAt(value, [&] { sampling.validate(); });
}

void readCache(const JsonValue& value, Scenario& scenario) {
    checkKnownKeys(value, {"mode", "layout", "block_size", "codec", "max_context", "eviction"});
    if (const JsonValue* mode = optional(value, "mode"))
        scenario.mode = rethrowAt(*mode, [&] { return parseCacheMode(mode->asString()); });
    if (const JsonValue* layout = optional(value, "layout")) {
        const auto parsed = parseCacheLayout(layout->asString());
        if (!parsed)
            layout->fail("expected \"contiguous\" or \"paged\", got " + layout->describe());
        scenario.cache_layout = *parsed;
    }
    if (const JsonValue* block = optional(value, "block_size"))
        scenario.block_size = readInt(*block, 1, 1 << 20);
    if (const JsonValue* codec = optional(value, "codec"))
        scenario.cache_spec =
            rethrowAt(*codec, [&] { return parseKvCacheSpec(codec->asString(), "codec"); });
    if (const JsonValue* context = optional(value, "max_context"))
        scenario.max_context = readInt(*context, 0);
    if (const JsonValue* eviction = optional(value, "eviction"))
        readEvictionObject(*eviction, scenario);
}

void readView(const JsonValue& value, ScenarioFile& file) {
    if (!value.isObject())
        value.fail("expected an object of view settings, got " + value.describe());
    for (const JsonMember& member : value.members()) {
        const JsonValue& setting = member.value;
        if (member.key == "name") {
            file.view = readText(setting, false);
            if (file.view != "generate" && file.view != "memory" && file.view != "paging" &&
                file.view != "quant" && file.view != "evict")
                setting.fail("there is no view named '" + file.view +
                             "' (generate, memory, paging, quant, evict)");
        } else if (setting.isBool()) {
            file.view_settings[member.key] = setting.asBool();
        } else if (setting.isNumber()) {
            // A whole number is an integer, also when only its double is whole (1e-400 is 0,
            // 0.99999999999999999999 is 1): the writer writes such a double as an integer, so
            // deciding from the value keeps a written file reading back the same.
            const double number = setting.asDouble();
            constexpr double kTwoTo63 = 9223372036854775808.0;
            if (setting.isInteger()) {
                file.view_settings[member.key] = setting.asInt64();
            } else if (std::trunc(number) == number && number >= -kTwoTo63 && number < kTwoTo63) {
                file.view_settings[member.key] = std::int64_t(number);
            } else {
                file.view_settings[member.key] = number;
            }
        } else if (setting.isString()) {
            file.view_settings[member.key] = setting.asString();
        } else {
            setting.fail("a view setting must be true/false, a number or a string, got " +
                         setting.describe());
        }
    }
}

ScenarioFile scenarioFromJson(const JsonValue& root, bool version_required = true) {
    if (version_required || root.find(kScenarioVersionKey)) {
        checkVersion(root);
    } else if (!root.isObject()) {
        root.fail("expected a scenario (a JSON object), got " + root.describe());
    }
    checkKnownKeys(root, {kScenarioVersionKey, "model", "prompt", "steps", "max_new_tokens",
                          "sampling", "cache", "backend", "activations", "view"});
    ScenarioFile file;
    Scenario& scenario = file.scenario;
    scenario.model = readText(root.at("model"), false);
    scenario.prompt = readText(root.at("prompt"));
    if (const JsonValue* steps = optional(root, "steps")) file.steps = readInt(*steps, 0, 1 << 24);
    if (const JsonValue* n = optional(root, "max_new_tokens"))
        scenario.max_new_tokens = readInt(*n, 1, 1 << 24);
    if (const JsonValue* sampling = optional(root, "sampling"))
        readSampling(*sampling, scenario.sampling);
    if (const JsonValue* cache = optional(root, "cache")) readCache(*cache, scenario);
    if (const JsonValue* backend = optional(root, "backend")) {
        file.backend = backend->asString();
        if (!isScenarioBackend(file.backend))
            backend->fail("expected \"cpu\" or \"cuda\", got " + backend->describe());
    }
    if (const JsonValue* activations = optional(root, "activations")) {
        file.activations = activations->asString();
        if (!isScenarioActivations(file.activations))
            activations->fail("expected \"q8\" or \"float\", got " + activations->describe());
    }
    if (const JsonValue* view = optional(root, "view")) readView(*view, file);
    return file;
}

}  // namespace

bool isScenarioBackend(std::string_view name) {
    return name == "cpu" || name == "cuda";
}

bool isScenarioActivations(std::string_view name) {
    return name == "q8" || name == "float";
}

std::string scenarioFileJson(const ScenarioFile& file) {
    const Scenario& scenario = file.scenario;
    std::string out;
    PrettyObject root(out, 0);
    root.field(kScenarioVersionKey, kScenarioFileVersion);
    root.field("model", scenario.model);
    root.field("prompt", scenario.prompt);
    root.field("steps", file.steps);
    root.field("max_new_tokens", scenario.max_new_tokens);
    {
        PrettyObject sampling(root.key("sampling"), 1);
        sampling.field("temperature", scenario.sampling.temperature);
        sampling.field("top_k", scenario.sampling.top_k);
        sampling.field("top_p", scenario.sampling.top_p);
        sampling.field("seed", std::to_string(scenario.sampling.seed));
        sampling.close();
    }
    {
        PrettyObject cache(root.key("cache"), 1);
        cache.field("mode", toString(scenario.mode));
        cache.field("layout", toString(scenario.cache_layout));
        cache.field("block_size", scenario.block_size);
        cache.field("codec", scenario.cache_spec.label());
        cache.field("max_context", scenario.max_context);
        if (hasEvictionSettings(scenario)) {
            PrettyObject eviction(cache.key("eviction"), 2);
            for (const auto& [name, value] : evictionMembers(scenario))
                std::visit([&eviction, &name](const auto& v) { eviction.field(name, v); }, value);
            eviction.close();
        }
        cache.close();
    }
    root.field("backend", file.backend);
    root.field("activations", file.activations);
    {
        PrettyObject view(root.key("view"), 1);
        view.field("name", file.view);
        for (const auto& [name, value] : file.view_settings)
            if (name != "name") writeViewValue(view.key(name), value);
        view.close();
    }
    root.close();
    out += '\n';
    return out;
}

void writeScenarioFile(const ScenarioFile& file, const std::string& path) {
    writeFileAtomically(path, scenarioFileJson(file));
}

ScenarioFile readScenarioJson(std::string_view text, std::string_view source) {
    return scenarioFromJson(parseJson(text, source));
}

ScenarioFile readScenarioFile(const std::string& path) {
    return scenarioFromJson(parseJsonFile(path, kMaxScenarioFileBytes));
}

ScenarioFile readScenarioObject(const JsonValue& object) {
    return scenarioFromJson(object, false);
}

void readScenarioView(const JsonValue& view, ScenarioFile& file) {
    readView(view, file);
}

bool isScenarioFileName(std::string_view path) {
    if (path.size() < kScenarioFileSuffix.size()) return false;
    const std::string_view tail = path.substr(path.size() - kScenarioFileSuffix.size());
    return std::equal(tail.begin(), tail.end(), kScenarioFileSuffix.begin(),
                      [](char a, char b) { return std::tolower((unsigned char)a) == b; });
}

}  // namespace kvscope

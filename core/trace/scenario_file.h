#pragma once
// The KVScope scenario file (.kvscope.json): what to run and how to look at it, so that a class
// or a colleague can open the same picture. Versioned by its first key, "kvscope_scenario": 1;
// documented field by field in docs/scenario-schema.md.
//
//   {
//     "kvscope_scenario": 1,
//     "model": "builtin:demo",
//     "prompt": "KVScope KVScope KVSc",
//     "steps": 12,                       decode steps run after the prefill when opened
//     "max_new_tokens": 64,              what "Run to end" decodes
//     "sampling": {"temperature": 0, "top_k": 0, "top_p": 1, "seed": "42"},
//     "cache": {"mode": "cached", "layout": "contiguous", "block_size": 16, "codec": "fp32",
//               "max_context": 0, "eviction": {"policy": "window", "budget": 64, ...}},
//     "backend": "cpu",
//     "activations": "q8",               q8 or float (--activations); files without it read q8
//     "view": {"name": "generate", "layer": 1, "head": 0, "all_heads": false}
//   }
//
// "cache.eviction" (core/trace/eviction_json.h) is written only for a bounded cache.
// "kvscope_scenario", "model" and "prompt" are required; every other key has the default shown
// by ScenarioFile{}. Unknown keys are refused (a misspelt key would otherwise be ignored
// silently), except inside "view", whose settings belong to the views. Writing is canonical
// (fixed key order, two-space indent, shortest round-trip numbers), so save -> open -> save gives
// the same bytes.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "core/trace/trace.h"

namespace kvscope {

class JsonValue;

inline constexpr std::string_view kScenarioVersionKey = "kvscope_scenario";
inline constexpr std::int64_t kScenarioFileVersion = 1;
/// Scenario files larger than this are refused before reading (they are a few hundred bytes).
inline constexpr std::int64_t kMaxScenarioFileBytes = std::int64_t(16) << 20;
/// The file name ending the GUI and the CLI recognise.
inline constexpr std::string_view kScenarioFileSuffix = ".kvscope.json";

/// One view setting: a switch, a whole number, a number or a text.
using ScenarioViewValue = std::variant<bool, std::int64_t, double, std::string>;

struct ScenarioFile {
    Scenario scenario;               // model, prompt, max_new_tokens, sampling, cache, codec
    std::int64_t steps = 12;         // decode steps after the prefill when the file is opened
    std::string backend = "cpu";     // "cpu" or "cuda"
    std::string activations = "q8";  // "q8" or "float": the CPU backend's --activations
    std::string view = "generate";   // the view (tab) shown
    /// Settings of the views by name: "layer", "head", "all_heads", "log_scale", ...
    std::map<std::string, ScenarioViewValue> view_settings;

    bool operator==(const ScenarioFile&) const = default;
};

/// The backends a scenario may name.
bool isScenarioBackend(std::string_view name);
/// The activation schemes a scenario may name: "q8" or "float".
bool isScenarioActivations(std::string_view name);

/// The canonical JSON text of `file` (ends with a newline).
std::string scenarioFileJson(const ScenarioFile& file);
/// Writes scenarioFileJson() to `path` atomically. Throws InputError naming the path on failure.
void writeScenarioFile(const ScenarioFile& file, const std::string& path);

/// Reads a scenario from JSON text; `source` names it in messages. Throws InputError naming the
/// source and the key (JSON path) for: text that is not JSON, not a scenario (no
/// "kvscope_scenario"), a version newer than kScenarioFileVersion or below 1, a missing required
/// key, a value of the wrong type or out of range, an unknown key, an unknown codec, backend or
/// activation scheme.
ScenarioFile readScenarioJson(std::string_view text, std::string_view source);
/// readScenarioJson() on the file at `path`.
ScenarioFile readScenarioFile(const std::string& path);

/// A scenario object inside another document (a lesson step): read as readScenarioJson() does,
/// except that the "kvscope_scenario" key may be left out (the outer document is versioned).
ScenarioFile readScenarioObject(const JsonValue& object);
/// Reads a "view" object into `file`: "name" into file.view, the other settings added to
/// file.view_settings.
void readScenarioView(const JsonValue& view, ScenarioFile& file);

/// True when `path` ends with ".kvscope.json" (case-insensitive).
bool isScenarioFileName(std::string_view path);

}  // namespace kvscope

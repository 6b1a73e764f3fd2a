#pragma once
// A classroom lesson (resources/lessons/*.json): a sequence of steps, each with a title and a few
// sentences to read out, that set up a scenario, advance it and pick what is on screen. Lessons
// are data: a teacher writes a new one in a text editor and opens it without recompiling.
//
//   {
//     "kvscope_lesson": 1,
//     "title": "Why cache K and V?",
//     "summary": "one or two sentences for the lesson list",
//     "steps": [
//       { "title": "...", "text": "...",
//         "scenario": { scenario-file keys: "model", "prompt", "cache", ... },
//         "steps": 4,
//         "view": { "name": "generate", "layer": 1, "head": 0, "all_heads": true } },
//       { "title": "...", "text": "...", "steps": 16 }
//     ]
//   }
//
// A step without "scenario" keeps the previous step's scenario and decode steps; "steps" sets
// the decode steps shown after the prefill (default: the scenario's own "steps"); without "view"
// the previous view stays. The first step must have a scenario. "text" is plain text; a blank line
// starts a new paragraph. The "scenario" object is a scenario file (docs/scenario-schema.md) whose
// "kvscope_scenario" key may be left out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/trace/scenario_file.h"

namespace kvscope {

inline constexpr std::string_view kLessonVersionKey = "kvscope_lesson";
inline constexpr std::int64_t kLessonFileVersion = 1;
inline constexpr std::int64_t kMaxLessonFileBytes = std::int64_t(4) << 20;
inline constexpr std::int64_t kMaxLessonSteps = 1000;

struct LessonStep {
    std::string title;
    std::string text;
    /// What the step shows, resolved: the scenario in force (its `steps` = this step's decode
    /// steps), the view and its settings.
    ScenarioFile state;
    /// True when this step names its own scenario (the window must load it), false when it
    /// continues the previous step's.
    bool new_scenario = false;
};

struct Lesson {
    std::string title;
    std::string summary;
    std::vector<LessonStep> steps;  // at least one
};

/// Reads a lesson from JSON text; `source` names it in messages. Throws InputError naming the
/// source and the JSON path for: not JSON, not a lesson, a newer version, a missing title or
/// steps, no steps, a first step without a scenario, a bad scenario or view (as the scenario
/// file reader reports them), an unknown key.
Lesson readLessonJson(std::string_view text, std::string_view source);
Lesson readLessonFile(const std::string& path);

}  // namespace kvscope

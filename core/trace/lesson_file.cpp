// The lesson file reader (see lesson_file.h).
#include "core/trace/lesson_file.h"

#include <array>
#include <string>

#include "core/util/json_value.h"

namespace kvscope {
namespace {

const std::string& readText(const JsonValue& value) {
    const std::string& text = value.asString();
    if (text.empty()) value.fail("must not be empty");
    return text;
}

void checkVersion(const JsonValue& root) {
    checkDocumentVersion(root, kLessonVersionKey, kLessonFileVersion, "lesson");
}

/// One step, resolved against the state the previous step left (nullopt for the first step).
LessonStep readStep(const JsonValue& value, const std::optional<ScenarioFile>& previous) {
    if (!value.isObject())
        value.fail("expected a lesson step (an object), got " + value.describe());
    checkKnownKeys(value, {"title", "text", "scenario", "steps", "view"});
    LessonStep step;
    step.title = readText(value.at("title"));
    step.text = readText(value.at("text"));
    if (const JsonValue* scenario = value.find("scenario")) {
        step.state = readScenarioObject(*scenario);
        step.new_scenario = true;
        // The view stays unless the step or its scenario names one.
        if (previous && !value.find("view") && !scenario->find("view")) {
            step.state.view = previous->view;
            step.state.view_settings = previous->view_settings;
        }
    } else if (previous) {
        step.state = *previous;
    } else {
        value.fail("the first step must set up a scenario (a \"scenario\" object)");
    }
    if (const JsonValue* steps = value.find("steps")) {
        const std::int64_t n = steps->asInt64();
        if (n < 0 || n > (1 << 24)) steps->fail("expected 0 to 16777216 decode steps");
        step.state.steps = n;
    }
    if (const JsonValue* view = value.find("view")) {
        step.state.view_settings.clear();
        readScenarioView(*view, step.state);
    }
    return step;
}

Lesson lessonFromJson(const JsonValue& root) {
    checkVersion(root);
    checkKnownKeys(root, {kLessonVersionKey, "title", "summary", "steps"});
    Lesson lesson;
    lesson.title = readText(root.at("title"));
    if (const JsonValue* summary = root.find("summary")) lesson.summary = summary->asString();
    const JsonValue& steps = root.at("steps");
    if (steps.items().empty()) steps.fail("a lesson needs at least one step");
    if (std::int64_t(steps.items().size()) > kMaxLessonSteps)
        steps.fail("more than " + std::to_string(kMaxLessonSteps) + " steps");
    std::optional<ScenarioFile> state;
    for (const JsonValue& item : steps.items()) {
        lesson.steps.push_back(readStep(item, state));
        state = lesson.steps.back().state;
    }
    return lesson;
}

}  // namespace

Lesson readLessonJson(std::string_view text, std::string_view source) {
    return lessonFromJson(parseJson(text, source));
}

Lesson readLessonFile(const std::string& path) {
    return lessonFromJson(parseJsonFile(path, kMaxLessonFileBytes));
}

}  // namespace kvscope

// The lesson reader: the lessons shipped in resources/lessons, how steps inherit the scenario
// and view, and every malformed lesson refused with a message naming the key.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "core/trace/lesson_file.h"
#include "core/util/error.h"

using namespace kvscope;

namespace {

Lesson parse(const std::string& text) {
    return readLessonJson(text, "test.json");
}

std::string refusal(const std::string& text) {
    try {
        parse(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "accepted";
}

const char* kTwoSteps = R"({
  "kvscope_lesson": 1, "title": "T", "summary": "S",
  "steps": [
    {"title": "a", "text": "one", "steps": 2,
     "scenario": {"model": "builtin:demo-mqa", "prompt": "hi", "steps": 7,
                  "cache": {"codec": "int8"}},
     "view": {"name": "generate", "layer": 1, "all_heads": true}},
    {"title": "b", "text": "two", "steps": 9},
    {"title": "c", "text": "three", "view": {"name": "memory", "preset": "llama-2-7b"}},
    {"title": "d", "text": "four", "scenario": {"model": "builtin:demo", "prompt": "x"}}
  ]})";

}  // namespace

TEST_CASE("lesson steps inherit the scenario, the decode steps and the view", "[lesson]") {
    const Lesson lesson = parse(kTwoSteps);
    REQUIRE(lesson.steps.size() == 4);
    CHECK(lesson.title == "T");
    CHECK(lesson.summary == "S");

    const LessonStep& a = lesson.steps[0];
    CHECK(a.new_scenario);
    CHECK(a.state.scenario.model == "builtin:demo-mqa");
    CHECK(a.state.scenario.cache_spec.label() == "int8");
    CHECK(a.state.steps == 2);  // the step's "steps" wins over the scenario's 7
    CHECK(a.state.view == "generate");
    CHECK(std::get<std::int64_t>(a.state.view_settings.at("layer")) == 1);
    CHECK(std::get<bool>(a.state.view_settings.at("all_heads")));

    const LessonStep& b = lesson.steps[1];
    CHECK_FALSE(b.new_scenario);
    CHECK(b.state.scenario == a.state.scenario);
    CHECK(b.state.steps == 9);
    CHECK(b.state.view_settings == a.state.view_settings);

    const LessonStep& c = lesson.steps[2];
    CHECK(c.state.steps == 9);  // kept from b
    CHECK(c.state.view == "memory");
    CHECK(c.state.view_settings.size() == 1);  // a named view replaces the settings
    CHECK(std::get<std::string>(c.state.view_settings.at("preset")) == "llama-2-7b");

    const LessonStep& d = lesson.steps[3];
    CHECK(d.new_scenario);
    CHECK(d.state.scenario.model == "builtin:demo");
    CHECK(d.state.steps == ScenarioFile{}.steps);  // the new scenario's default
    CHECK(d.state.view == "memory");               // the view stays
}

TEST_CASE("bad lessons are refused naming the key", "[lesson]") {
    CHECK_THAT(refusal("[1]"), Catch::Contains("expected a KVScope lesson"));
    CHECK_THAT(refusal(R"({"title": "x"})"), Catch::Contains("\"kvscope_lesson\" is missing"));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 2, "title": "x", "steps": []})"),
               Catch::Contains("newer than this KVScope reads"));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 1, "title": "x", "steps": []})"),
               Catch::Contains("at least one step"));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 1, "steps": []})"), Catch::Contains("title"));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 1, "title": "x",
                         "steps": [{"title": "a", "text": "b"}]})"),
               Catch::Contains("the first step must set up a scenario"));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 1, "title": "x", "steps": [{"title": "a",
                         "text": "b", "scenario": {"model": "m", "prompt": "p"}, "stepz": 3}]})"),
               Catch::Contains("unknown key \"stepz\""));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 1, "title": "x", "steps": [{"title": "a",
                         "text": "b", "scenario": {"model": "m", "prompt": "p",
                         "cache": {"codec": "int9"}}}]})"),
               Catch::Contains("$.steps[0].scenario.cache.codec"));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 1, "title": "x", "steps": [{"title": "a",
                         "text": "b", "scenario": {"model": "m", "prompt": "p"}, "steps": -1}]})"),
               Catch::Contains("decode steps"));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 1, "title": "x", "steps": [{"title": "a",
                         "text": "", "scenario": {"model": "m", "prompt": "p"}}]})"),
               Catch::Contains("$.steps[0].text"));
    CHECK_THAT(refusal(R"({"kvscope_lesson": 1, "title": "x", "steps": [{"title": "a",
                         "text": "b", "scenario": {"model": "m", "prompt": "p"},
                         "view": {"layer": [1]}}]})"),
               Catch::Contains("a view setting must be"));
    CHECK_THAT(refusal("{\"kvscope_lesson\": 1, \"title\": \"x\", \"steps\": [{"),
               Catch::Contains("test.json"));
}

TEST_CASE("the shipped lessons parse and cover the six topics", "[lesson]") {
    const std::filesystem::path dir =
        std::filesystem::path(KVSCOPE_SOURCE_DIR) / "resources/lessons";
    std::set<std::string> views;
    int n_lessons = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        INFO(entry.path());
        const Lesson lesson = readLessonFile(entry.path().string());
        ++n_lessons;
        CHECK(lesson.steps.size() >= 4);
        CHECK_FALSE(lesson.summary.empty());
        for (const LessonStep& step : lesson.steps) {
            views.insert(step.state.view);
            CHECK(step.text.size() > 80);  // an explanation, not a label
        }
    }
    CHECK(n_lessons >= 6);
    CHECK(views == std::set<std::string>{"generate", "memory", "paging", "quant", "evict"});
}

// The lesson player on the real window: every built-in lesson runs start to end headless, each
// step shows what it says (view, decode steps, settings), Back within a scenario is a scrub, a
// lesson opened from disk needs no rebuild, and a broken lesson gives a message.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <cstdlib>

#include "tests/test_skip.h"
#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/cost_chart.h"
#include "ui/generate/generate_view.h"
#include "ui/lessons/lesson_catalog.h"
#include "ui/lessons/lesson_player.h"
#include "ui/memory/memory_inputs.h"
#include "ui/memory/memory_view.h"
#include "ui/window/presenter_controls.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

namespace {

/// Sets the working directory for a scope.
class CurrentDirectory {
public:
    explicit CurrentDirectory(const QString& path) : m_previous(QDir::currentPath()) {
        REQUIRE(QDir::setCurrent(path));
    }
    ~CurrentDirectory() { QDir::setCurrent(m_previous); }

private:
    QString m_previous;
};

/// The first model file a lesson names that is not there ("" when every one is).
QString missingModel(const Lesson& lesson) {
    for (const LessonStep& step : lesson.steps) {
        const QString model = QString::fromStdString(step.state.scenario.model);
        if (!model.startsWith(QStringLiteral("builtin:")) && !QFileInfo::exists(model))
            return model;
    }
    return {};
}

QString currentView(const MainWindow& window) {
    return window.views()->currentWidget()->objectName();
}

void requireStepShown(MainWindow& window, const LessonStep& step) {
    LessonPlayer& player = *window.lessonPlayer();
    REQUIRE(player.waitUntilIdle());
    INFO("lesson error: " << player.errorText().toStdString()
                          << " window error: " << window.lastError().toStdString());
    REQUIRE(player.errorText().isEmpty());
    REQUIRE(window.lastError().isEmpty());
    CHECK(currentView(window) == QString::fromStdString(step.state.view));
    CHECK(window.trace()->reference() == QString::fromStdString(step.state.scenario.model));
    // The prefill record plus the step's decode steps are on screen (fewer only where the model
    // ended the text).
    CHECK(window.trace()->cursor() == 1 + int(step.state.steps));
    CHECK(player.textLabel()->text().contains(
        QString::fromStdString(step.text.substr(0, 20)).toHtmlEscaped()));
}

}  // namespace

TEST_CASE("every built-in lesson runs start to end", "[ui][lesson]") {
    const QStringList paths = builtinLessonPaths();
    REQUIRE(paths.size() >= 6);
    // The lessons name the shared models as the README does, from the repository root (where
    // scripts/demo.sh starts kvscope).
    const CurrentDirectory at_root(QStringLiteral(KVSCOPE_SOURCE_DIR));
    for (const QString& path : paths) {
        DYNAMIC_SECTION(path.toStdString()) {
            MainWindow window;
            const Lesson lesson = loadLesson(path);
            if (const QString missing = missingModel(lesson); !missing.isEmpty()) {
                REQUIRE(std::getenv("KVSCOPE_ALLOW_MISSING_MODELS") != nullptr);
                kvscope::test::skipTest("the lesson needs " + missing.toStdString());
                continue;
            }
            REQUIRE(window.openLesson(path));
            LessonPlayer& player = *window.lessonPlayer();
            CHECK(player.stepCount() == int(lesson.steps.size()));
            for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
                INFO("step " << i + 1 << ": " << lesson.steps[i].title);
                CHECK(player.stepIndex() == int(i));
                requireStepShown(window, lesson.steps[i]);
                CHECK(player.backButton()->isEnabled() == (i > 0));
                CHECK(player.nextButton()->isEnabled() == (i + 1 < lesson.steps.size()));
                player.next();
            }
            CHECK(player.stepIndex() == player.stepCount() - 1);  // Next at the end stays
        }
    }
}

TEST_CASE("lesson steps apply their settings and Back is a scrub", "[ui][lesson]") {
    MainWindow window;
    REQUIRE(window.openLesson(lessonPathFor(QStringLiteral("1"))));
    LessonPlayer& player = *window.lessonPlayer();
    REQUIRE(player.waitUntilIdle());
    // Step 1: the prefill only, layer 1 head 0 (the induction head), FLOPs per step.
    CHECK(window.trace()->recordCount() == 1);
    CHECK(window.views()->generate()->layer() == 1);
    CHECK(window.views()->generate()->costMeasureBox()->currentData().toInt() ==
          int(CostChart::Measure::FlopsPerStep));
    // The left docks step aside while the lesson dock is up.
    for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
        INFO(dock->objectName().toStdString());
        CHECK(dock->isHidden() == (dock->objectName() != "lesson_dock"));
    }

    player.goTo(3);  // 16 decode steps, computed
    REQUIRE(player.waitUntilIdle());
    REQUIRE(window.trace()->recordCount() == 17);
    player.goTo(4);  // 40 steps, summed FLOPs
    REQUIRE(player.waitUntilIdle());
    CHECK(window.trace()->recordCount() == 41);
    CHECK(window.views()->generate()->costMeasureBox()->currentData().toInt() ==
          int(CostChart::Measure::FlopsCumulative));

    player.back();  // back to 16 steps: the cursor moves, the 41 records stay, nothing runs
    CHECK_FALSE(window.runner()->isBusy());
    CHECK(window.trace()->recordCount() == 41);
    CHECK(window.trace()->cursor() == 17);

    // Presenter mode scales the lesson text with the window. QApplication passes a new font on
    // to the widgets only inside exec(); the test hands it to the window as exec() would.
    const double text_before = player.textLabel()->font().pointSizeF();
    const QLabel* title = player.findChild<QLabel*>("lesson_title");
    REQUIRE(title);
    const double title_before = title->font().pointSizeF();
    CHECK(title_before > text_before);  // the title stands out
    window.presenter()->largerAction()->trigger();
    window.setFont(QApplication::font());
    CHECK(player.textLabel()->font().pointSizeF() > text_before);
    CHECK(title->font().pointSizeF() > title_before);
}

TEST_CASE("a memory lesson step sets the calculator", "[ui][lesson]") {
    MainWindow window;
    REQUIRE(window.openLesson(lessonPathFor(QStringLiteral("2"))));
    LessonPlayer& player = *window.lessonPlayer();
    player.goTo(3);  // Llama-2-7B, 4096 tokens, batch 32, fp16
    REQUIRE(player.waitUntilIdle());
    REQUIRE(player.errorText().isEmpty());
    CHECK(currentView(window) == "memory");
    const auto& study = window.views()->memory()->study();
    REQUIRE(study.has_value());
    // 2 x 32 layers x 32 KV heads x 128 x 2 bytes = 524,288 B per token; x 4096 x 32 = 64 GiB.
    CHECK(study->report.kv_bytes_per_token == 524288);
    CHECK(study->report.kv_bytes_per_gpu == std::int64_t(524288) * 4096 * 32);
}

TEST_CASE("a lesson from disk runs without a rebuild and a broken one is refused", "[ui][lesson]") {
    QTemporaryDir dir;
    const QString good = dir.filePath("mine.json");
    {
        QFile file(good);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"kvscope_lesson": 1, "title": "Mine", "steps": [
            {"title": "One", "text": "Prefill the MQA demo model and look at every head at once.",
             "scenario": {"model": "builtin:demo-mqa", "prompt": "abcabc"}, "steps": 2,
             "view": {"name": "generate", "all_heads": true}}]})");
    }
    MainWindow window;
    REQUIRE(window.openLesson(good));
    REQUIRE(window.lessonPlayer()->waitUntilIdle());
    CHECK(window.trace()->reference() == "builtin:demo-mqa");
    CHECK(window.trace()->cursor() == 3);
    CHECK(window.views()->generate()->allHeadsBox()->isChecked());

    const QString bad = dir.filePath("bad.json");
    {
        QFile file(bad);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"kvscope_lesson": 1, "title": "Bad", "steps": [
            {"title": "One", "text": "x", "scenario": {"model": "builtin:demo", "prompt": "p"},
             "view": {"name": "generate", "colour": "red"}}]})");
    }
    CHECK_FALSE(window.openLesson(bad));
    CHECK(window.lastError().contains("colour"));
    CHECK_FALSE(window.openLesson(dir.filePath("missing.json")));
    CHECK(window.lastError().contains("missing.json"));
    // The lesson that was open stays.
    CHECK(window.lessonPlayer()->lesson()->title == "Mine");
}

TEST_CASE("lesson titles from a file are shown as plain text, never as HTML", "[ui][lesson]") {
    // Issue #16: a step title was rendered as rich text, so an <img> showed a local file.
    QTemporaryDir dir;
    const QString path = dir.filePath("markup.json");
    {
        QFile file(path);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"kvscope_lesson": 1, "title": "<b>Bold</b> lesson", "steps": [
            {"title": "<img src=\"/etc/hostname\"> step", "text": "<i>not italic</i>",
             "scenario": {"model": "builtin:demo", "prompt": "ab"}, "steps": 0}]})");
    }
    MainWindow window;
    REQUIRE(window.openLesson(path));
    const auto* title = window.findChild<QLabel*>(QStringLiteral("lesson_title"));
    const auto* step_title = window.findChild<QLabel*>(QStringLiteral("lesson_step_title"));
    REQUIRE(title != nullptr);
    REQUIRE(step_title != nullptr);
    CHECK(title->textFormat() == Qt::PlainText);
    CHECK(step_title->textFormat() == Qt::PlainText);
    CHECK(title->text() == "<b>Bold</b> lesson");
    CHECK(step_title->text() == "<img src=\"/etc/hostname\"> step");
}

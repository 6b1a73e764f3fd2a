// Scenario files in the window: save -> open -> save is byte-identical, opening runs the
// scenario (prefill + steps, view settings), bad files name their key, drops and recent files.
#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QMimeData>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUrl>

#include "core/trace/scenario_file.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/generate_view.h"
#include "ui/window/main_window.h"
#include "ui/window/recent_files.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

namespace {

QByteArray readFile(const QString& path) {
    QFile file(path);
    REQUIRE(file.open(QIODevice::ReadOnly));
    return file.readAll();
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

}  // namespace

TEST_CASE("scenario save, open, save gives the same bytes and the same run", "[ui][scenario]") {
    QTemporaryDir dir;
    const QString first = dir.filePath("first.kvscope.json");
    const QString second = dir.filePath("second.kvscope.json");
    {
        MainWindow window;
        requireIdle(window);
        window.scenarioPanel()->temperatureBox()->setValue(0.5);
        window.scenarioPanel()->maxNewTokensBox()->setValue(20);
        runScenario(window, QStringLiteral("builtin:demo-mqa"), QStringLiteral("abcabc"), 3);
        window.views()->generate()->showHead(1, 2);
        window.views()->generate()->setLogScale(true);
        REQUIRE(window.saveScenarioFile(first).isEmpty());
    }
    const ScenarioFile saved = readScenarioFile(first.toStdString());
    CHECK(saved.scenario.model == "builtin:demo-mqa");
    CHECK(saved.scenario.prompt == "abcabc");
    CHECK(saved.steps == 3);
    CHECK(saved.scenario.max_new_tokens == 20);
    CHECK(saved.scenario.sampling.temperature == 0.5f);
    CHECK(std::get<std::int64_t>(saved.view_settings.at("layer")) == 1);
    CHECK(std::get<std::int64_t>(saved.view_settings.at("head")) == 2);
    CHECK(std::get<bool>(saved.view_settings.at("log_scale")));

    MainWindow window;
    requireIdle(window);
    REQUIRE(window.openScenarioFile(first));
    requireIdle(window);
    CHECK(window.trace()->reference() == "builtin:demo-mqa");
    CHECK(window.scenarioPanel()->prompt() == "abcabc");
    CHECK(window.trace()->recordCount() == 1 + 3);  // the prefill and three steps
    CHECK(window.trace()->current()->positionsAfter() == 1 + 6 + 3);
    CHECK(window.views()->generate()->layer() == 1);
    CHECK(window.views()->generate()->head() == 2);
    CHECK(window.views()->generate()->logScaleBox()->isChecked());
    CHECK(window.recentFiles()->files().front() == first);
    REQUIRE(window.saveScenarioFile(second).isEmpty());
    CHECK(readFile(first) == readFile(second));
}

TEST_CASE("opening a scenario shows the view it names", "[ui][scenario]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("memory.kvscope.json");
    writeFile(path, R"({"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "hi",
                        "steps": 2, "view": {"name": "memory", "all_heads": true}})");
    MainWindow window;
    requireIdle(window);
    REQUIRE(window.openScenarioFile(path));
    requireIdle(window);
    CHECK(window.views()->currentWidget()->objectName() == "memory");
    CHECK(window.trace()->recordCount() == 3);
    CHECK(window.views()->generate()->allHeadsBox()->isChecked());
}

TEST_CASE("a bad or newer scenario file is refused with the key named", "[ui][scenario]") {
    QTemporaryDir dir;
    MainWindow window;
    requireIdle(window);
    const QString newer = dir.filePath("newer.kvscope.json");
    writeFile(newer, R"({"kvscope_scenario": 7, "model": "builtin:demo", "prompt": "x"})");
    CHECK(!window.openScenarioFile(newer));
    CHECK(window.lastError().contains("newer"));
    CHECK(window.lastError().contains("kvscope_scenario"));

    const QString typo = dir.filePath("typo.kvscope.json");
    writeFile(typo, R"({"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "x",
                        "cache": {"codec": "int3"}})");
    CHECK(!window.openScenarioFile(typo));
    CHECK(window.lastError().contains("$.cache.codec"));

    runScenario(window, QStringLiteral("builtin:demo"), QStringLiteral("ab"), 0);
    const QString no_model = dir.filePath("nomodel.kvscope.json");
    writeFile(no_model,
              R"({"kvscope_scenario": 1, "model": "/no/such/model.gguf", "prompt": "x"})");
    CHECK(window.openScenarioFile(no_model));  // the file is fine; the engine fails to load
    CHECK(window.waitUntilIdle());
    CHECK(window.lastError().contains("/no/such/model.gguf"));
    // Nothing was prefilled on the old model: the trace is still the "ab" prefill.
    REQUIRE(window.trace()->recordCount() == 1);
    CHECK(window.trace()->current()->positionsAfter() == 3);
}

TEST_CASE("dropping a scenario file on the window opens it", "[ui][scenario]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("drop.kvscope.json");
    writeFile(path, R"({"kvscope_scenario": 1, "model": "builtin:demo-gqa", "prompt": "drop",
                        "steps": 1})");
    MainWindow window;
    requireIdle(window);
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(path)});
    REQUIRE(window.openDropped(data));
    requireIdle(window);
    CHECK(window.trace()->reference() == "builtin:demo-gqa");
    CHECK(window.trace()->recordCount() == 2);
    CHECK(window.recentFiles()->files().contains(path));
}

TEST_CASE("view settings out of range are refused with the key and its range", "[ui][scenario]") {
    // Issue #16: "layer": 4294967296 was truncated to layer 0; context -5, batch -1,
    // requests -1 and a window of 2^62 were accepted (a spin box clamps them silently).
    QTemporaryDir dir;
    MainWindow window;
    requireIdle(window);
    const struct {
        const char* view;
        const char* setting;
        const char* expected;
    } cases[] = {
        {"generate", R"("layer": 4294967296)", "[0, 65535], got 4294967296"},
        {"generate", R"("head": -1)", "[0, 65535], got -1"},
        {"memory", R"("context": -5)", "[1, 1099511627776], got -5"},
        {"memory", R"("batch": -1)", "[1, 16777216], got -1"},
        {"memory", R"("tp": 0)", "[1, 1024], got 0"},
        {"paging", R"("requests": -1)", "[0, 1000000], got -1"},
        {"quant", R"("window": 4611686018427387904)", "got 4611686018427387904"},
    };
    int n = 0;
    for (const auto& c : cases) {
        INFO(c.view << " " << c.setting);
        const QString path = dir.filePath(QStringLiteral("range%1.kvscope.json").arg(n++));
        writeFile(path, QStringLiteral(R"({"kvscope_scenario": 1, "model": "builtin:demo",
                     "prompt": "ab", "steps": 0, "view": {"name": "%1", %2}})")
                            .arg(QLatin1String(c.view), QLatin1String(c.setting))
                            .toUtf8());
        window.openScenarioFile(path);
        window.waitUntilIdle();
        const QString key = QString::fromLatin1(c.setting).section('"', 1, 1);
        CHECK(window.lastError().contains(QStringLiteral("view setting \"%1\"").arg(key)));
        CHECK(window.lastError().contains(QLatin1String(c.expected)));
    }
}

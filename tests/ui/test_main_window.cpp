// The main window on the real demo models, the engine on its worker thread: transport, timeline,
// settings, bad input.
#include <catch2/catch.hpp>

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QMimeData>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>

#include "core/cache/kv_cache_spec.h"
#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/cache_growth_data.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/generate/token_strip.h"
#include "ui/generate/top_k_view.h"
#include "ui/style/format_bytes.h"
#include "ui/window/left_docks.h"
#include "ui/window/presenter_controls.h"
#include "ui/window/recent_files.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/transport.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

TEST_CASE("the main window opens on the demo model with its transport keys", "[ui][window]") {
    MainWindow window;
    requireIdle(window);
    CHECK(window.windowTitle().contains("builtin:demo"));
    CHECK(window.trace()->reference() == "builtin:demo");
    CHECK(window.scenarioPanel()->modelBox()->findData("builtin:demo-mqa") >= 0);
    CHECK(window.trace()->recordCount() == 0);

    CHECK(window.transport()->stepAction()->shortcut() == QKeySequence(Qt::Key_Right));
    CHECK(window.transport()->stepBackAction()->shortcut() == QKeySequence(Qt::Key_Left));
    CHECK(window.transport()->playAction()->shortcut() == QKeySequence(Qt::Key_Space));
    CHECK(window.transport()->resetAction()->shortcut() == QKeySequence(Qt::Key_Home));
    CHECK(window.presenter()->fullScreenAction()->shortcut() == QKeySequence(Qt::Key_F11));
    CHECK(window.presenter()->largerAction()->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Equal));
    CHECK(window.presenter()->smallerAction()->shortcut() ==
          QKeySequence(Qt::CTRL | Qt::Key_Minus));
    for (QAction* action :
         {window.transport()->stepAction(), window.transport()->stepBackAction(),
          window.transport()->playAction(), window.transport()->resetAction(),
          window.transport()->prefillAction(), window.transport()->runToEndAction()}) {
        CHECK(action->toolTip().contains(action->shortcut().toString(QKeySequence::NativeText)));
    }
    CHECK(window.transport()->prefillAction()->isEnabled());
    CHECK_FALSE(window.transport()->stepAction()->isEnabled());
    CHECK_FALSE(window.transport()->stepBackAction()->isEnabled());
    CHECK(statusText(window).contains("Position 0 / 512"));
    CHECK(statusText(window).contains("KV 0 B"));
    CHECK(statusText(window).contains("Backend: CPU"));
}

TEST_CASE("Prefill, Step and Step back move the engine and every view", "[ui][window]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "abc", 0);
    GenerateView& view = *window.views()->generate();
    CHECK(window.trace()->recordCount() == 1);
    // BOS, the 3 prompt bytes, and the sampled next token.
    CHECK(view.tokenStrip()->tokenCount() == 5);
    CHECK(view.tokenStrip()->count(TokenRole::Special) == 1);
    CHECK(view.tokenStrip()->count(TokenRole::Prompt) == 3);
    CHECK(view.tokenStrip()->count(TokenRole::Pending) == 1);
    CHECK(view.heatmap()->rowCount() == 4);
    CHECK(window.leftDocks()->topK()->candidates().size() == 5);
    CHECK(window.views()->generate()->explanation()->text().contains("Prefill"));

    window.step();
    requireIdle(window);
    window.step();
    requireIdle(window);
    CHECK(window.trace()->recordCount() == 3);
    CHECK(view.heatmap()->rowCount() == 6);
    CHECK(view.tokenStrip()->count(TokenRole::Generated) == 2);
    const StepRecord last = window.trace()->trace().records.back();
    CHECK(statusText(window).contains("Position 6 / 512"));
    CHECK(statusText(window).contains("KV " + bytesText(last.kvBytesHeld()) + " of "));
    CHECK(window.views()->generate()->explanation()->text().contains("Decode step 2"));

    // Step back at the end is a real undo: the record goes, and stepping again reproduces it.
    window.stepBack();
    requireIdle(window);
    CHECK(window.trace()->recordCount() == 2);
    CHECK(view.heatmap()->rowCount() == 5);
    window.step();
    requireIdle(window);
    REQUIRE(window.trace()->recordCount() == 3);
    CHECK(window.trace()->trace().records.back().tokens == last.tokens);
    CHECK(window.trace()->trace().records.back().next_token == last.next_token);
}

TEST_CASE("the timeline scrubs recorded steps without asking the engine", "[ui][window]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "scrub", 4);  // BOS + 5 bytes, then 4 steps: 10 positions
    GenerateView& view = *window.views()->generate();
    QSlider& timeline = *window.transport()->timeline();
    CHECK(timeline.maximum() == 5);
    CHECK(timeline.value() == 5);

    timeline.setValue(2);  // prefill + 1 step on screen
    CHECK_FALSE(window.runner()->isBusy());
    CHECK(window.trace()->cursor() == 2);
    CHECK(view.heatmap()->rowCount() == 7);
    CHECK(statusText(window).contains("Position 7 / 512"));
    CHECK(statusText(window).contains("replaying"));
    CHECK(window.trace()->recordCount() == 5);  // nothing was undone

    // Left and Right replay while behind the end; at the end Right asks the engine again.
    window.stepBack();
    CHECK_FALSE(window.runner()->isBusy());
    CHECK(view.heatmap()->rowCount() == 6);
    for (int i = 0; i < 4; ++i)
        window.step();
    CHECK_FALSE(window.runner()->isBusy());
    CHECK(window.trace()->atEnd());
    CHECK(view.heatmap()->rowCount() == 10);
    window.step();
    requireIdle(window);
    CHECK(window.trace()->recordCount() == 6);
}

TEST_CASE("Reset and choosing another model clear every view", "[ui][window]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "hello", 1);
    window.reset();
    requireIdle(window);
    CHECK(window.trace()->recordCount() == 0);
    CHECK(window.views()->generate()->tokenStrip()->tokenCount() == 0);
    CHECK(window.views()->generate()->heatmap()->rowCount() == 0);
    CHECK(window.leftDocks()->topK()->candidates().empty());
    CHECK_FALSE(window.transport()->stepAction()->isEnabled());

    runScenario(window, "builtin:demo-mqa", "mqa", 0);
    CHECK(window.windowTitle().contains("builtin:demo-mqa"));
    CHECK(window.trace()->config().n_kv_heads == 1);
    CHECK(window.views()->generate()->headBox()->maximum() == window.trace()->config().n_heads - 1);
    window.loadModel("builtin:demo");
    requireIdle(window);
    CHECK(window.trace()->recordCount() == 0);
    CHECK(window.views()->generate()->heatmap()->rowCount() == 0);
}

TEST_CASE("Play steps on a timer and Run to end stops at the limit asked for", "[ui][window]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "play", 0);
    window.transport()->speedSlider()->setValue(window.transport()->speedSlider()->maximum());
    window.transport()->playAction()->trigger();
    CHECK(window.runner()->isPlaying());
    CHECK(waitFor([&] { return window.trace()->recordCount() >= 4; }, 20000));
    window.transport()->playAction()->trigger();
    CHECK_FALSE(window.runner()->isPlaying());
    requireIdle(window);

    const int before = window.trace()->recordCount();
    window.scenarioPanel()->setMaxNewTokens(7);
    window.transport()->runToEndAction()->trigger();
    requireIdle(window);
    CHECK(window.trace()->recordCount() == before + 7);
}

TEST_CASE("the GUI thread keeps running while the engine works", "[ui][window]") {
    MainWindow window;
    requireIdle(window);
    int ticks_while_busy = 0;
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&] {
        if (window.runner()->isBusy()) ++ticks_while_busy;
    });
    timer.start(5);
    // A 480-byte prompt, then 40 decode steps, each also timed without a cache.
    window.setPrompt(QString(480, 'k'));
    window.prefill();
    window.scenarioPanel()->setMaxNewTokens(40);
    window.runToEnd();
    CHECK(window.runner()->isBusy());  // the calls returned at once
    requireIdle(window);
    CHECK(window.trace()->trace().records.back().positionsAfter() > 481);
    CHECK(ticks_while_busy >= 5);
}

TEST_CASE("bad input is reported in the window, never thrown", "[ui][window]") {
    MainWindow window;
    requireIdle(window);
    window.setPrompt("   ");
    window.prefill();
    CHECK(window.lastError().contains("prompt is empty"));
    CHECK(window.trace()->recordCount() == 0);

    window.loadModel("builtin:nope");
    REQUIRE(window.waitUntilIdle());
    CHECK(window.lastError().contains("builtin:nope"));
    CHECK(window.trace()->reference() == "builtin:demo");  // the old model stays

    QTemporaryDir dir;
    const QString not_a_model = dir.filePath("notes.gguf");
    {
        QFile file(not_a_model);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write("this is not a model");
    }
    window.loadModel(not_a_model);
    REQUIRE(window.waitUntilIdle());
    CHECK(window.lastError().contains("notes.gguf"));
    CHECK(window.trace()->reference() == "builtin:demo");

    window.setPrompt(QString(600, 'x'));  // BOS + 600 bytes > the 512-token context
    window.prefill();
    REQUIRE(window.waitUntilIdle());
    CHECK(window.lastError().contains("context"));
    CHECK(window.trace()->recordCount() == 0);

    window.scenarioPanel()->maxNewTokensBox()->setValue(2'000'000'000);  // absurd: clamped
    CHECK(window.scenarioPanel()->maxNewTokens() ==
          window.scenarioPanel()->maxNewTokensBox()->maximum());

    window.setPrompt("ok");
    window.prefill();
    requireIdle(window);
    CHECK(window.trace()->recordCount() == 1);
}

TEST_CASE("dropping a file on the window loads it", "[ui][window]") {
    MainWindow window;
    requireIdle(window);
    QTemporaryDir dir;
    const QString path = dir.filePath("dropped.bin");
    {
        QFile file(path);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write("\x01\x02\x03", 3);
    }
    CHECK(window.acceptDrops());
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    CHECK(window.openDropped(mime));
    REQUIRE(window.waitUntilIdle());
    INFO(window.lastError().toStdString());
    CHECK(window.lastError().contains("dropped.bin"));  // not a model: said so, nothing lost
    CHECK(window.trace()->reference() == "builtin:demo");

    QMimeData two;
    two.setUrls({QUrl::fromLocalFile(path), QUrl::fromLocalFile(path)});
    CHECK_FALSE(window.openDropped(two));
    CHECK(window.lastError().contains("one model file"));
}

TEST_CASE("presenter mode scales the fonts and the dark palette darkens", "[ui][window]") {
    MainWindow window;
    const double normal = QApplication::font().pointSizeF();
    window.presenter()->largerAction()->trigger();
    window.presenter()->largerAction()->trigger();
    CHECK(QApplication::font().pointSizeF() > normal * 1.3);
    window.presenter()->smallerAction()->trigger();
    window.presenter()->smallerAction()->trigger();
    CHECK(QApplication::font().pointSizeF() == Approx(normal));

    window.presenter()->darkAction()->setChecked(true);
    CHECK(QApplication::palette().color(QPalette::Window).lightness() < 80);
    window.presenter()->darkAction()->setChecked(false);
    CHECK(QApplication::palette().color(QPalette::Window).lightness() > 200);
}

TEST_CASE("settings and recent files survive a restart", "[ui][window][real-model]") {
    const QString path = QString(KVSCOPE_SHARED_MODELS_DIR) + "/stories260K.gguf";
    if (!QFile::exists(path)) FAIL("model file not found: " << path.toStdString());
    {
        MainWindow window;
        runScenario(window, path, "Once upon a time", 1);
        CHECK(window.recentFiles()->files().contains(path));
        CHECK(window.trace()->config().n_kv_heads == 4);
        // BOS, ▁Once ▁upon ▁a ▁time, one generated, and the next.
        CHECK(window.views()->generate()->tokenStrip()->tokenCount() == 7);
        window.close();  // saves the settings
    }
    MainWindow again;
    requireIdle(again);
    CHECK(again.recentFiles()->files().contains(path));
    CHECK(again.scenarioPanel()->modelBox()->findData(path) >= 0);
    CHECK(again.trace()->reference() == path);  // the last model comes back
    CHECK(again.scenarioPanel()->prompt() == "Once upon a time");
    QSettings().clear();
}

TEST_CASE("the cache precision chosen in the panel is what the cache stores", "[ui][window]") {
    MainWindow window;
    QComboBox& codec = *window.scenarioPanel()->codecBox();
    const int int8 = codec.findData(QStringLiteral("int8"));
    REQUIRE(int8 >= 0);
    codec.setCurrentIndex(int8);
    runScenario(window, "builtin:demo", "abc", 3);  // BOS + 3 prompt tokens + 3 steps
    const Trace& trace = window.trace()->trace();
    CHECK(trace.scenario.cache_spec.label() == "int8");
    // Per layer per token: K and V, 4 KV heads, each a row of 16 int8 values and an fp16 scale.
    const std::int64_t per_token_layer = 2 * 4 * (16 + 2);
    const StepRecord& last = trace.records.back();
    REQUIRE(last.layers.size() == 4);
    for (const LayerRecord& layer : last.layers)
        CHECK(layer.k_bytes + layer.v_bytes == per_token_layer * last.positionsAfter());
    CHECK(last.positionsAfter() == 7);
    // The cache-growth overlays count the same precision: MHA (8 KV heads) is twice the model.
    const CacheGrowthData data = cacheGrowthData(trace);
    REQUIRE(data.overlays.size() == 2);
    CHECK(data.overlays[0].total.back() == 2.0 * data.total.back());

    // A spec from a scenario file that the list does not offer joins it.
    SessionOptions options = window.scenarioPanel()->sessionOptions();
    options.cache_spec = parseKvCacheSpec("q8_0/int4+w16", "test");
    window.scenarioPanel()->setSessionOptions(options);
    CHECK(codec.currentData().toString() == QString::fromStdString(options.cache_spec.label()));
    CHECK(window.scenarioPanel()->sessionOptions().cache_spec == options.cache_spec);
}

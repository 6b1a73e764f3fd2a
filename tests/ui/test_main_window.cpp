// The main window with the real demo models: actions, token strip, heatmap, status bar.
#include <catch2/catch.hpp>

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QSpinBox>
#include <QStatusBar>

#include "ui/format_bytes.h"
#include "ui/heatmap_widget.h"
#include "ui/main_window.h"
#include "ui/token_strip.h"
#include "ui/top_k_view.h"

using namespace kvscope;

namespace {

// The texts of the status bar's labels, joined: what a user reads there.
QString statusText(const MainWindow& window) {
    QStringList texts;
    for (const QLabel* label : window.statusBar()->findChildren<QLabel*>())
        texts << label->text();
    return texts.join(" | ");
}

}  // namespace

TEST_CASE("the main window builds around the demo model", "[ui][window]") {
    MainWindow window;
    CHECK(window.windowTitle().contains("builtin:demo"));
    CHECK(window.modelReference() == "builtin:demo");
    REQUIRE(window.modelBox()->count() == 4);
    CHECK(window.modelBox()->findText("builtin:demo-mha") >= 0);
    CHECK(window.modelBox()->findText("builtin:demo-gqa") >= 0);
    CHECK(window.modelBox()->findText("builtin:demo-mqa") >= 0);
    REQUIRE(window.session() != nullptr);
    CHECK(window.session()->position() == 0);

    CHECK(window.stepAction()->shortcut() == QKeySequence(Qt::Key_Right));
    CHECK(window.resetAction()->shortcut() == QKeySequence(Qt::Key_Home));
    CHECK(window.stepAction()->toolTip().contains("Right"));
    CHECK(window.resetAction()->toolTip().contains("Home"));
    CHECK(window.prefillAction()->toolTip().contains(
        window.prefillAction()->shortcut().toString(QKeySequence::NativeText)));
    CHECK(window.prefillAction()->isEnabled());
    CHECK_FALSE(window.stepAction()->isEnabled());

    CHECK(window.tokenStrip()->tokenCount() == 0);
    CHECK(window.heatmap()->rowCount() == 0);
    CHECK(statusText(window).contains("Position 0 / "));
    CHECK(statusText(window).contains("KV cache 0 B"));
    CHECK(statusText(window).contains("Backend: "));
}

TEST_CASE("Prefill then Step grow the token strip and the heatmap", "[ui][window]") {
    MainWindow window;
    window.setPrompt("abc");
    window.prefillAction()->trigger();
    INFO("error: " << window.lastError().toStdString());
    REQUIRE(window.session()->position() == 4);  // BOS + 3 bytes

    // BOS, the 3 prompt bytes, and the sampled next token.
    CHECK(window.tokenStrip()->tokenCount() == 5);
    CHECK(window.tokenStrip()->count(TokenRole::Special) == 1);
    CHECK(window.tokenStrip()->count(TokenRole::Prompt) == 3);
    CHECK(window.tokenStrip()->count(TokenRole::Pending) == 1);
    CHECK(window.heatmap()->rowCount() == 4);
    CHECK(window.heatmap()->columnCount() == 4);
    CHECK(window.heatmap()->image().size() == QSize(4, 4));
    CHECK(window.stepAction()->isEnabled());
    CHECK(window.topK()->candidates().size() == 5);

    window.stepAction()->trigger();
    window.stepAction()->trigger();
    CHECK(window.session()->position() == 6);
    CHECK(window.tokenStrip()->tokenCount() == 7);
    CHECK(window.tokenStrip()->count(TokenRole::Generated) == 2);
    CHECK(window.heatmap()->rowCount() == 6);
    CHECK(window.heatmap()->image().size() == QSize(6, 6));

    // The status bar reads the last record: position and the cache bytes it holds, in IEC units.
    const std::int64_t kv_bytes = window.session()->records().back().kvBytesHeld();
    CHECK(kv_bytes > 0);
    CHECK(statusText(window).contains("Position 6 / "));
    CHECK(statusText(window).contains("KV cache " + formatBytes(kv_bytes)));
    CHECK(statusText(window).contains("ms (decode)"));
}

TEST_CASE("the heatmap masks the future and follows the layer and head boxes", "[ui][window]") {
    MainWindow window;
    window.setPrompt("attention");
    REQUIRE(window.prefill());
    const QImage& image = window.heatmap()->image();
    REQUIRE(image.size() == QSize(10, 10));
    // Above the diagonal every cell has the one masked colour.
    CHECK(image.pixel(9, 0) == image.pixel(5, 2));
    CHECK(image.pixel(1, 0) == image.pixel(9, 8));

    window.showHead(0, 0);
    const QImage head_0 = window.heatmap()->image();
    const QString title_0 = window.heatmap()->title();
    const int last_layer = window.layerBox()->maximum();
    const int last_head = window.headBox()->maximum();
    window.showHead(last_layer, last_head);
    CHECK(window.heatmap()->title() != title_0);
    CHECK(window.heatmap()->title().contains(QString("head %1").arg(last_head)));
    CHECK(window.heatmap()->image() != head_0);
}

TEST_CASE("Reset clears the session and every view", "[ui][window]") {
    MainWindow window;
    window.setPrompt("hello");
    REQUIRE(window.prefill());
    REQUIRE(window.step());
    window.resetAction()->trigger();
    CHECK(window.session()->position() == 0);
    CHECK(window.session()->records().empty());
    CHECK(window.tokenStrip()->tokenCount() == 0);
    CHECK(window.heatmap()->rowCount() == 0);
    CHECK(window.topK()->candidates().empty());
    CHECK_FALSE(window.stepAction()->isEnabled());
    CHECK_FALSE(window.resetAction()->isEnabled());
    CHECK(statusText(window).contains("Position 0 / "));
}

TEST_CASE("choosing another model resets and resizes the head range", "[ui][window]") {
    MainWindow window;
    window.setPrompt("mqa");
    REQUIRE(window.prefill());
    window.modelBox()->setCurrentText("builtin:demo-mqa");
    CHECK(window.windowTitle().contains("builtin:demo-mqa"));
    REQUIRE(window.session() != nullptr);
    CHECK(window.session()->position() == 0);
    CHECK(window.session()->model().config.n_kv_heads == 1);
    CHECK(window.headBox()->maximum() == window.session()->model().config.n_heads - 1);
    CHECK(window.layerBox()->maximum() == window.session()->model().config.n_layers - 1);
    CHECK(window.tokenStrip()->tokenCount() == 0);
}

TEST_CASE("bad input is reported in the window, never thrown", "[ui][window]") {
    MainWindow window;
    CHECK_FALSE(window.loadModel("builtin:nope"));
    CHECK(window.lastError().contains("builtin:nope"));
    CHECK(window.modelReference() == "builtin:demo");  // the old model stays

    const std::int64_t limit = window.session()->maxContext();
    window.setPrompt(QString(int(limit), 'x'));  // BOS + limit bytes: one too many
    CHECK_FALSE(window.prefill());
    CHECK(window.lastError().contains("context"));
    CHECK(window.session()->position() == 0);
    CHECK(window.tokenStrip()->tokenCount() == 0);

    window.setPrompt("ok");
    CHECK(window.prefill());
    CHECK(window.lastError().isEmpty());
}

TEST_CASE("a real model file loads into the window and joins the model list",
          "[ui][window][real-model]") {
    const QString path = QString(KVSCOPE_SHARED_MODELS_DIR) + "/stories260K.gguf";
    if (!QFile::exists(path)) {
        FAIL("model file not found: " << path.toStdString());
    }
    MainWindow window;
    REQUIRE(window.loadModel(path));
    CHECK(window.modelReference() == path);
    CHECK(window.modelBox()->count() == 5);
    CHECK(window.session()->model().config.n_kv_heads == 4);
    window.setPrompt("Once upon a time");
    REQUIRE(window.prefill());
    CHECK(window.tokenStrip()->tokenCount() == 6);  // BOS, ▁Once ▁upon ▁a ▁time, and the next
    CHECK(window.heatmap()->rowCount() == 5);
}

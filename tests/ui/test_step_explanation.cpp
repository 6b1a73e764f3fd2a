// The Generate view's explanation of a decode step says how many cached rows each layer read:
// every position with a full cache, the budget under a bounded one, and under sliding-window
// layers the window for the local layers and every position for the global ones. Real windows on
// the built-in demo model and on tests/data/arch/gemma3-f16.gguf (6 layers: 0-4 local with a
// window of 10, layer 5 global; tests/data/arch/README.md).
#include <catch2/catch.hpp>

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QTemporaryDir>

#include "tests/ui/window_test_util.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/generate_view.h"
#include "ui/widgets/count_edit.h"
#include "ui/widgets/eviction_controls.h"
#include "ui/window/left_docks.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/view_tabs.h"

using namespace kvscope;

namespace {

QString explanation(MainWindow& window) {
    return window.views()->generate()->explanation()->text();
}

void stepTimes(MainWindow& window, int steps) {
    for (int i = 0; i < steps; ++i) {
        window.step();
        requireIdle(window);
    }
}

}  // namespace

TEST_CASE("a full cache's step reads every earlier position in every layer", "[ui][explanation]") {
    MainWindow window;
    // "KVScope": BOS + 7 bytes = 8 positions; the second step feeds position 9 and reads 0..8.
    runScenario(window, "builtin:demo", "KVScope", 2);
    CHECK(explanation(window).contains("Decode step 2"));
    CHECK(explanation(window).contains("Each of the 4 layers computed one new K and V row"));
    CHECK(explanation(window).contains("read the 9 cached rows"));
}

TEST_CASE("a window of 8 reads 7 cached rows in each layer, not every position",
          "[ui][explanation][eviction]") {
    MainWindow window;
    requireIdle(window);
    EvictionControls& fields = *window.scenarioPanel()->evictionControls();
    fields.policyBox()->setCurrentIndex(fields.policyBox()->findData(QStringLiteral("window")));
    fields.budgetEdit()->setText(QStringLiteral("8"));
    emit fields.budgetEdit()->editingFinished();
    requireIdle(window);
    window.setPrompt(QStringLiteral("KVScope KVScope KVSc"));  // BOS + 20 bytes: 21 positions
    window.prefill();
    requireIdle(window);
    stepTimes(window, 5);
    // Step 5 feeds position 25; the layer held the 7 most recent (18..24) and adds the new row.
    const QString text = explanation(window);
    INFO(text.toStdString());
    CHECK(text.contains("Decode step 5"));
    CHECK(text.contains("at position 25"));
    CHECK(text.contains("each of the 4 layers read 7 cached rows of the 25 positions before it"));
    CHECK(text.contains("layer 0 now holds 8 of the 26 positions seen"));
    CHECK_FALSE(text.contains("read the 25 cached rows"));
}

TEST_CASE("sliding-window layers read their window, the global layer every position",
          "[ui][explanation]") {
    const QString path = QStringLiteral(KVSCOPE_SOURCE_DIR "/tests/data/arch/gemma3-f16.gguf");
    MainWindow window;
    // llama.cpp tokenizes "<start_of_turn>The quick brown fox" as BOS, <start_of_turn> and 17
    // pieces (gemma3-f16.json): without the turn marker, BOS + 17 = 18 positions, 0..17.
    runScenario(window, path, QStringLiteral("The quick brown fox"), 3);
    REQUIRE(window.trace()->config().n_layers == 6);
    REQUIRE(window.trace()->trace().records.front().tokens.size() == 18);
    // Step 3 feeds position 20. Local layers (window 10): the query sees 10 keys, itself and the
    // 9 before it. Global layer 5: all 20 earlier positions.
    const QString text = explanation(window);
    INFO(text.toStdString());
    CHECK(text.contains("at position 20"));
    CHECK(text.contains("The local layers keep only their sliding window"));
    CHECK(
        text.contains("the 5 local layers (window 10) read 9 cached rows, global layer 5 read "
                      "20 cached rows of the 20 positions before it"));
    CHECK(text.contains("layer 0 now holds 10 of the 21 positions seen"));
    CHECK_FALSE(text.contains("read the 20 cached rows"));
}

TEST_CASE("a prefill longer than the window says what each layer kept", "[ui][explanation]") {
    const QString path = QStringLiteral(KVSCOPE_SOURCE_DIR "/tests/data/arch/gemma3-f16.gguf");
    MainWindow window;
    // BOS + 17 pieces = 18 positions (see above), no step: the prefill's own explanation.
    runScenario(window, path, QStringLiteral("The quick brown fox"), 0);
    REQUIRE(window.trace()->trace().records.back().tokens.size() == 18);
    // Local layers keep their window of 10 (positions 8..17), global layer 5 all 18.
    const QString text = explanation(window);
    INFO(text.toStdString());
    CHECK(text.contains("18 rows per layer"));
    CHECK(
        text.contains("the 5 local layers (window 10) kept 10 rows, global layer 5 kept 18 rows"));
    CHECK_FALSE(text.contains("written to the cache"));
}

TEST_CASE("a prefill that fits the cache writes every row", "[ui][explanation]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "KVScope", 0);  // BOS + 7 bytes
    const QString text = explanation(window);
    INFO(text.toStdString());
    CHECK(text.contains("8 rows per layer"));
    CHECK(text.contains("written to the cache"));
    CHECK_FALSE(text.contains("kept"));
}

TEST_CASE("a LongRoPE step says which factor set it used and why", "[ui][explanation][rope]") {
    // phi3-longrope-f32: original context 256, context_length 8192. Opened as it is, the session's
    // context is 8192: the long factors, at every position (llama.cpp chooses by context).
    const QString path =
        QStringLiteral(KVSCOPE_SOURCE_DIR "/tests/data/arch/phi3-longrope-f32.gguf");
    MainWindow window;
    runScenario(window, path, QStringLiteral("The quick brown fox"), 1);
    QString text = explanation(window);
    INFO(text.toStdString());
    CHECK(text.contains("LongRoPE <b>long factors</b> (its positions are still below 256)"));
    CHECK(text.contains("(8192 &gt; the original 256), not by position"));
    const QString dock = window.leftDocks()->modelFacts()->text();
    CHECK(dock.contains("LongRoPE long factors (context 8192 &gt; original 256)"));

    // A scenario capping the context at 256 runs the short set (llama.cpp's -short golden).
    QTemporaryDir dir;
    const QString scenario = dir.filePath("short.kvscope.json");
    QFile file(scenario);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(
        QStringLiteral(R"({"kvscope_scenario": 1, "model": "%1", "prompt": "The quick brown fox",
                   "steps": 1, "cache": {"max_context": 256}})")
            .arg(path)
            .toUtf8());
    file.close();
    REQUIRE(window.openScenarioFile(scenario));
    requireIdle(window);
    text = explanation(window);
    INFO(text.toStdString());
    CHECK(text.contains("LongRoPE <b>short factors</b>, as every step"));
    CHECK(text.contains("(256 &lt;= the original 256)"));
    CHECK(window.leftDocks()->modelFacts()->text().contains(
        "LongRoPE short factors (context 256 &lt;= original 256; long above)"));
}

TEST_CASE("a model without LongRoPE has no RoPE note in its step", "[ui][explanation][rope]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "KVScope", 1);
    CHECK_FALSE(explanation(window).contains("RoPE"));
    // Llama 3's factors are the model's, named in the dock, not per step.
    runScenario(window, KVSCOPE_SOURCE_DIR "/tests/data/arch/llama3-f32.gguf", "Once upon", 1);
    CHECK_FALSE(explanation(window).contains("RoPE"));
    CHECK(window.leftDocks()->modelFacts()->text().contains(
        "Llama 3 frequency factors per pair (rope_freqs.weight)"));
}

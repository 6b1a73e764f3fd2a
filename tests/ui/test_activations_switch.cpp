// The Scenario panel's Activations selector (kvscope --activations, a scenario's "activations"):
// it round-trips through a scenario file, it changes the Generate view's session exactly as the
// core Session's backend does (llama3-q8_0, tests/data/arch: Q8_0 weights, so 8-bit activations
// move the logits), it reaches the comparison views' runs (makeRequestedBackend), and it is
// disabled, saying why, for a model whose weights take float rows either way.
#include <QComboBox>
#include <QSpinBox>
#include <QTemporaryDir>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>

#include "core/engine/backend_select.h"
#include "core/engine/cpu_backend.h"
#include "core/engine/sampler.h"
#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/model/prompt_tokens.h"
#include "core/trace/scenario_file.h"
#include "ui/engine/trace_model.h"
#include "ui/window/main_window.h"
#include "ui/window/scenario_panel.h"
#include "window_test_util.h"

using namespace kvscope;

namespace {

const QString kQ8Model = QStringLiteral(KVSCOPE_SOURCE_DIR "/tests/data/arch/llama3-q8_0.gguf");
const QString kF32Model = QStringLiteral(KVSCOPE_SOURCE_DIR "/tests/data/arch/llama3-f32.gguf");
const QString kPrompt = QStringLiteral("Once upon a time, the");

/// The process-wide request goes back to the default whatever a test did.
struct DefaultActivationsAfter {
    ~DefaultActivationsAfter() { setRequestedActivations(cpu::Activations::LlamaCpp); }
};

void choose(MainWindow& window, const char* scheme) {
    QComboBox* box = window.scenarioPanel()->activationsBox();
    box->setCurrentIndex(box->findData(QString::fromLatin1(scheme)));
    requireIdle(window);
}

/// The core Session's logits after the prefill of `prompt` and each of `steps` greedy steps, on
/// one CPU thread with `activations`.
std::vector<Vector> coreLogits(const std::shared_ptr<const Model>& model,
                               cpu::Activations activations, int steps) {
    SessionOptions options;
    options.record_attention = false;
    Session session(model, options, std::make_unique<CpuBackend>(1, activations));
    std::vector<Vector> out;
    session.prefill(promptTokens(*model, kPrompt.toStdString()));
    out.push_back(session.lastLogits());
    for (int i = 0; i < steps; ++i) {
        session.step();
        out.push_back(session.lastLogits());
    }
    return out;
}

/// Every record's top-k ids and probabilities equal topTokens() of the core logits.
void requireSameTopK(const MainWindow& window, const std::vector<Vector>& logits) {
    const std::vector<StepRecord>& records = window.trace()->trace().records;
    REQUIRE(records.size() == logits.size());
    for (std::size_t r = 0; r < records.size(); ++r) {
        const std::vector<TokenProb> expected =
            topTokens(logits[r], std::int64_t(records[r].top_k.size()));
        REQUIRE(!expected.empty());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            INFO("record " << r << ", candidate " << i);
            CHECK(records[r].top_k[i].id == expected[i].id);
            CHECK(records[r].top_k[i].prob == expected[i].prob);
        }
    }
}

}  // namespace

TEST_CASE("the Activations switch round-trips through a scenario file", "[ui][activations]") {
    const DefaultActivationsAfter restore;
    QTemporaryDir dir;
    MainWindow window;
    runScenario(window, kQ8Model, kPrompt, 1);
    ScenarioPanel* panel = window.scenarioPanel();
    QComboBox* box = panel->activationsBox();
    CHECK(box->isEnabled());  // Q8_0 weights: the scheme matters
    CHECK(box->currentData().toString() == "q8");
    CHECK(window.trace()->backend().contains("8-bit activations"));

    choose(window, "float");
    CHECK(requestedActivations() == cpu::Activations::Float);
    CHECK(window.trace()->backend().contains("float activations"));
    // The comparison views' runs make their backends from the same request.
    CHECK(makeRequestedBackend(1)->name().find("float activations") != std::string::npos);
    window.prefill();
    requireIdle(window);
    const QString path = dir.filePath("float.kvscope.json");
    REQUIRE(window.saveScenarioFile(path).isEmpty());
    CHECK(readScenarioFile(path.toStdString()).activations == "float");

    choose(window, "q8");
    CHECK(requestedActivations() == cpu::Activations::LlamaCpp);
    REQUIRE(window.openScenarioFile(path));
    requireIdle(window);
    CHECK(box->currentData().toString() == "float");
    CHECK(requestedActivations() == cpu::Activations::Float);
    CHECK(window.trace()->backend().contains("float activations"));
    // Saved again, the same scheme.
    const QString again = dir.filePath("again.kvscope.json");
    REQUIRE(window.saveScenarioFile(again).isEmpty());
    CHECK(readScenarioFile(again.toStdString()).activations == "float");
}

TEST_CASE("float activations in the window give the core Session's float logits, q8 its q8 ones",
          "[ui][activations]") {
    const DefaultActivationsAfter restore;
    const std::shared_ptr<const Model> model = loadModel(kQ8Model.toStdString());
    constexpr int kSteps = 3;
    const std::vector<Vector> with_float = coreLogits(model, cpu::Activations::Float, kSteps);
    const std::vector<Vector> with_q8 = coreLogits(model, cpu::Activations::LlamaCpp, kSteps);
    // The two schemes really differ on Q8_0 weights (rounding each activation row to 8 bits).
    float largest = 0.0f;
    for (std::size_t r = 0; r < with_float.size(); ++r)
        largest = std::max(largest, (with_float[r] - with_q8[r]).cwiseAbs().maxCoeff());
    INFO("largest |float - q8| logit: " << largest);
    CHECK(largest > 1e-3f);

    MainWindow window;
    window.scenarioPanel()->threadsBox()->setValue(1);  // the core sessions' one thread
    requireIdle(window);
    window.loadModel(kQ8Model);
    requireIdle(window);
    choose(window, "float");
    runScenario(window, kQ8Model, kPrompt, kSteps);
    REQUIRE(requestedActivations() == cpu::Activations::Float);
    requireSameTopK(window, with_float);

    choose(window, "q8");
    runScenario(window, kQ8Model, kPrompt, kSteps);
    requireSameTopK(window, with_q8);
}

TEST_CASE("the Activations switch is disabled for F32 weights, saying why", "[ui][activations]") {
    const DefaultActivationsAfter restore;
    MainWindow window;
    runScenario(window, kF32Model, kPrompt, 0);
    QComboBox* box = window.scenarioPanel()->activationsBox();
    CHECK_FALSE(box->isEnabled());
    CHECK(box->toolTip().contains("F32/F16/BF16 weights"));
    CHECK(box->toolTip().contains("changes nothing"));
    CHECK_FALSE(window.trace()->backend().contains("8-bit"));
    // A quantized model enables it again.
    runScenario(window, kQ8Model, kPrompt, 0);
    CHECK(box->isEnabled());
    CHECK(box->toolTip().contains("llama.cpp"));
}

// The Quantization view: real widgets under the offscreen platform on the built-in demo model,
// its figures checked against hand calculations and an independent runQuantEval call.
#include <catch2/catch.hpp>

#include <QValueAxis>

#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QProcess>
#include <QPushButton>
#include <QScatterSeries>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <cmath>

#include "core/eval/quant_eval.h"
#include "core/model/model_source.h"
#include "tests/ui/window_test_util.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/quant/quant_bytes_table.h"
#include "ui/quant/quant_controls.h"
#include "ui/quant/quant_step_chart.h"
#include "ui/quant/quant_texts.h"
#include "ui/quant/quant_view.h"
#include "ui/style/format_bytes.h"
#include "ui/window/view_tabs.h"

using namespace kvscope;

namespace {

const QString kPrompt = QStringLiteral("KVScope KV");  // 10 bytes: 10 demo tokens
constexpr int kSteps = 12;

void choose(QComboBox& box, const QString& name) {
    const int index = box.findText(name);
    REQUIRE(index >= 0);
    box.setCurrentIndex(index);
}

/// Presses Run and waits for the comparison to end; it must have succeeded.
void runAndWait(QuantView& view) {
    bool finished = false;
    const auto connection =
        QObject::connect(&view, &QuantView::runFinished, [&finished] { finished = true; });
    view.controls()->runButton()->click();
    REQUIRE(view.isRunning());
    REQUIRE(waitFor([&] { return finished; }, 120000));
    QObject::disconnect(connection);
    INFO("message: " << view.controls()->message().toStdString());
    REQUIRE(view.errorText().isEmpty());
    REQUIRE(view.lastRun());
}

/// A view on the demo model with `prompt`, K and V codecs chosen, kSteps steps.
void setUp(QuantView& view, const QString& k, const QString& v) {
    view.setModel(loadModel("builtin:demo")->config, QStringLiteral("builtin:demo"));
    view.setPrompt(kPrompt);
    choose(*view.controls()->keyBox(), k);
    choose(*view.controls()->valueBox(), v);
    view.controls()->setSteps(kSteps);
}

/// The same comparison run here, apart from the view: BOS + the prompt + fp32's greedy tokens.
QuantEvalResult independentRun(const char* spec) {
    const auto model = loadModel("builtin:demo");
    std::vector<TokenId> prompt{model->tokenizer->bos()};
    for (TokenId id : model->tokenizer->encode(kPrompt.toStdString()))
        prompt.push_back(id);
    REQUIRE(prompt.size() == 11);
    const std::vector<TokenId> tokens = greedyContinuation(model, prompt, kSteps);
    QuantEvalOptions options;
    options.free_prompt_tokens = 11;
    options.free_steps = kSteps;
    options.keep_attention = true;
    const KvCacheSpec specs[] = {parseKvCacheSpec(spec, "--test")};
    return runQuantEval(model, tokens, specs, options);
}

/// The points of a line series must be (first_x + i, values[i]).
void requireSeries(const QXYSeries& series, const std::vector<double>& values) {
    REQUIRE(series.count() == int(values.size()));
    for (int i = 0; i < series.count(); ++i) {
        CHECK(series.at(i).x() == double(i));
        CHECK(series.at(i).y() == values[std::size_t(i)]);
    }
}

qlonglong bytesAt(const QuantBytesTable& table, int row, int column) {
    REQUIRE(table.item(row, column));
    return table.item(row, column)->data(Qt::UserRole).toLongLong();
}

}  // namespace

TEST_CASE("Quantization view: int8 keys and int4 values beside fp32 on the demo model",
          "[ui][quant]") {
    QuantView view;
    view.resize(1280, 700);
    setUp(view, "int8", "int4");
    runAndWait(view);
    const QuantRun& run = *view.lastRun();
    const QuantEvalRow& row = run.result.rows.at(0);
    CHECK(row.label == "int8/int4");
    // BOS + 10 prompt tokens + 12 greedy tokens.
    const std::int64_t n = 1 + 10 + kSteps;
    REQUIRE(std::int64_t(run.result.tokens.size()) == n);

    // Bytes per layer, by hand. The demo model: 4 layers, 4 KV heads of head_dim 16. Per token
    // per KV head: fp32 K and V 16 x 4 B = 64 B each; int8 K 16 x 1 B + a 2 B fp16 scale = 18 B;
    // int4 V one group of 32 values (16 B of nibbles + fp16 scale + fp16 zero) = 20 B.
    const QuantBytesTable& table = *view.bytesTable();
    REQUIRE(table.rowCount() == 4 + 1);
    const qlonglong ref_layer = n * 4 * (64 + 64);
    const qlonglong spec_layer = n * 4 * (18 + 20);
    for (int l = 0; l < 4; ++l) {
        CHECK(bytesAt(table, l, QuantBytesTable::ReferenceColumn) == ref_layer);
        CHECK(bytesAt(table, l, QuantBytesTable::SpecColumn) == spec_layer);
        CHECK(table.item(l, QuantBytesTable::SpecColumn)->text() == bytesText(spec_layer));
        CHECK(table.item(l, QuantBytesTable::SavedColumn)->data(Qt::UserRole).toDouble() ==
              Approx(1.0 - 38.0 / 128.0));
        CHECK(table.item(l, QuantBytesTable::SavedColumn)->text() == QStringLiteral("70.3%"));
    }
    CHECK(bytesAt(table, 4, QuantBytesTable::ReferenceColumn) == 4 * ref_layer);
    CHECK(bytesAt(table, 4, QuantBytesTable::SpecColumn) == 4 * spec_layer);
    CHECK(table.horizontalHeaderItem(QuantBytesTable::SpecColumn)->text() == "int8/int4");

    // The charts plot the run's per-step series, which an independent run reproduces.
    const QuantEvalResult again = independentRun("int8/int4");
    const QuantEvalRow& want = again.rows.at(0);
    REQUIRE(run.result.tokens == again.tokens);
    const auto& attention_lines = view.attentionChart()->lineSeries();
    REQUIRE(attention_lines.size() == 2);
    requireSeries(*attention_lines[0], want.step_attn_l1);
    requireSeries(*attention_lines[1], want.step_attn_kl);
    REQUIRE(view.logitsChart()->lineSeries().size() == 1);
    requireSeries(*view.logitsChart()->lineSeries()[0], want.step_logits_kl);
    std::vector<double> misses;
    for (std::size_t i = 0; i < want.step_top1_match.size(); ++i)
        if (!want.step_top1_match[i]) misses.push_back(double(i));
    if (misses.empty()) {
        CHECK(view.logitsChart()->markerSeries() == nullptr);
    } else {
        REQUIRE(view.logitsChart()->markerSeries());
        REQUIRE(view.logitsChart()->markerSeries()->count() == int(misses.size()));
        for (std::size_t i = 0; i < misses.size(); ++i)
            CHECK(view.logitsChart()->markerSeries()->at(int(i)).x() == misses[i]);
    }
    CHECK(std::any_of(want.step_attn_l1.begin(), want.step_attn_l1.end(),
                      [](double e) { return e > 0; }));

    // The heatmap: |A_codec - A_ref| of the chosen layer and head, computed here from the
    // independent run's attention rows; zero above the diagonal.
    for (const auto& [layer, head] : {std::pair{1, 0}, std::pair{3, 7}, std::pair{0, 5}}) {
        view.showHead(layer, head);
        REQUIRE(view.layerBox()->value() == layer);
        REQUIRE(view.headBox()->value() == head);
        const Matrix& shown = view.heatmap()->weights();
        REQUIRE(shown.rows() == n);
        REQUIRE(shown.cols() == n);
        double total = 0;
        for (std::int64_t p = 0; p < n; ++p)
            for (std::int64_t k = 0; k < n; ++k) {
                const float expected =
                    k <= p ? std::fabs(want.attention.row(p, layer, head)[k] -
                                       again.reference.attention.row(p, layer, head)[k])
                           : 0.0f;
                CHECK(shown(p, k) == expected);
                total += shown(p, k);
            }
        INFO("layer " << layer << " head " << head);
        CHECK(view.heatmap()->title().contains(
            QStringLiteral("layer %1 head %2").arg(layer).arg(head)));
    }

    // The texts: both free generations, the first difference marked.
    const QuantTexts& texts = *view.texts();
    CHECK(texts.firstDivergence() == want.first_divergence);
    CHECK(texts.referenceText()->toPlainText().startsWith(kPrompt));
    CHECK(texts.specText()->toPlainText().startsWith(kPrompt));
    if (want.first_divergence == 0) {
        CHECK(texts.highlighted().isEmpty());
        CHECK(texts.referenceText()->toPlainText() == texts.specText()->toPlainText());
    } else {
        CHECK(texts.highlighted().size() == 2);
    }

    // The summary: KV bytes, the ratio to fp16 (38 / 64 of fp16's 2 x 32 B), top-1, perplexity.
    const QString summary = view.summary()->text();
    CHECK(summary.contains(bytesText(4 * spec_layer)));
    CHECK(summary.contains(QStringLiteral("0.594\u00d7 fp16")));
    CHECK(summary.contains(QStringLiteral("top-1 agreement")));
    CHECK(summary.contains(QStringLiteral("perplexity")));
}

TEST_CASE("Quantization view: fp32 against fp32 shows no error and no divergence", "[ui][quant]") {
    QuantView view;
    setUp(view, "fp32", "fp32");
    runAndWait(view);
    const QuantEvalRow& row = view.lastRun()->result.rows.at(0);
    for (QLineSeries* line : view.attentionChart()->lineSeries())
        for (const QPointF& p : line->points())
            CHECK(p.y() == 0.0);
    for (const QPointF& p : view.logitsChart()->lineSeries().at(0)->points())
        CHECK(p.y() == 0.0);
    CHECK(view.logitsChart()->markerSeries() == nullptr);  // top-1 agrees everywhere
    // All-zero series get a plain 0..1 axis (with the 5% headroom), not one of 1e-9.
    for (QAbstractAxis* axis : view.attentionChart()->chart()->axes(Qt::Vertical)) {
        auto* y = qobject_cast<QValueAxis*>(axis);
        REQUIRE(y != nullptr);
        CHECK(y->max() == Approx(1.05));
    }
    CHECK(row.top1_agreement == 1.0);
    CHECK(view.heatmap()->weights().isZero(0));
    CHECK(view.texts()->firstDivergence() == 0);
    CHECK(view.texts()->highlighted().isEmpty());
    CHECK(
        view.texts()->verdict()->text().contains(QStringLiteral("the same %1 tokens").arg(kSteps)));
    CHECK(view.bytesTable()->item(0, QuantBytesTable::SavedColumn)->data(Qt::UserRole).toDouble() ==
          0.0);
    CHECK(view.summary()->text().contains(QStringLiteral("same free text")));
}

TEST_CASE("Quantization view: the summary counts top-1 misses and those at fp32 near-ties",
          "[ui][quant]") {
    QuantView view;
    setUp(view, "int2", "int2");  // 2 bits per value: some next tokens must change
    runAndWait(view);
    const QuantEvalResult& r = view.lastRun()->result;
    const QuantEvalRow& row = r.rows.at(0);
    std::int64_t misses = 0, at_ties = 0;
    for (std::size_t i = 0; i < row.step_top1_match.size(); ++i) {
        if (row.step_top1_match[i]) continue;
        ++misses;
        if (r.step_top1_margin[i] < 0.1) ++at_ties;
    }
    REQUIRE(misses > 0);
    CHECK(view.summary()->text().contains(
        QStringLiteral("(%1 misses, %2 at fp32 near-ties)").arg(misses).arg(at_ties)));
}

TEST_CASE("Quantization view: bad input gets a message, not a run", "[ui][quant]") {
    QuantView view;
    SECTION("no model loaded") {
        view.controls()->runButton()->click();
        CHECK_FALSE(view.isRunning());
        CHECK(view.errorText().contains(QStringLiteral("No model is loaded")));
        CHECK(view.controls()->message() == view.errorText());
    }
    SECTION("a mixed-precision window longer than the context") {
        setUp(view, "int4", "int4");
        view.controls()->windowBox()->setValue(600);
        view.controls()->runButton()->click();
        CHECK_FALSE(view.isRunning());
        CHECK(view.errorText().contains(QStringLiteral("window: 600 tokens")));
        CHECK(view.errorText().contains(QStringLiteral("512-token context")));
    }
    SECTION("a KIVI residual longer than the context") {
        setUp(view, "kivi2", "kivi2");
        CHECK_FALSE(view.controls()->windowBox()->isEnabled());  // kivi2 has its own window
        view.controls()->kiviBox()->setValue(1000);
        view.controls()->runButton()->click();
        CHECK_FALSE(view.isRunning());
        CHECK(view.errorText().contains(QStringLiteral("KIVI residual: 1000 tokens")));
    }
    SECTION("more steps than the context holds") {
        setUp(view, "int8", "int8");
        view.controls()->setSteps(600);
        view.controls()->runButton()->click();
        CHECK_FALSE(view.isRunning());
        CHECK(view.errorText().contains(QStringLiteral("exceed the 512-token context")));
    }
    SECTION("a prompt that pushes the sequence past the context fails on the worker") {
        setUp(view, "int8", "int8");
        view.controls()->setSteps(500);
        view.setPrompt(QString(20, QLatin1Char('a')));  // 1 + 20 + 500 > 512
        bool finished = false;
        QObject::connect(&view, &QuantView::runFinished, [&finished] { finished = true; });
        view.controls()->runButton()->click();
        REQUIRE(waitFor([&] { return finished; }, 60000));
        CHECK(view.errorText().contains(QStringLiteral("521 positions exceed")));
        CHECK_FALSE(view.lastRun());
        CHECK(view.controls()->runButton()->isEnabled());
    }
}

TEST_CASE("Quantization view: the main window's tab runs on its model and prompt", "[ui][quant]") {
    MainWindow window;
    window.loadModel(QStringLiteral("builtin:demo"));
    requireIdle(window);
    window.setPrompt(kPrompt);
    REQUIRE(window.views()->showView(QStringLiteral("quant")));
    CHECK(window.views()->tabText(window.views()->currentIndex()) ==
          QStringLiteral("Quantization"));
    QuantView& view = *window.views()->quant();
    CHECK(view.controls()->prompt() == kPrompt);
    view.controls()->setSteps(kSteps);
    runAndWait(view);
    CHECK(view.lastRun()->request.reference == QStringLiteral("builtin:demo"));
    CHECK(view.lastRun()->request.prompt == kPrompt);
    CHECK(view.lastRun()->config.n_kv_heads == 4);
}

TEST_CASE("Quantization view: Cancel stops a run and keeps the last result", "[ui][quant]") {
    QuantView view;
    setUp(view, "q8_0", "q4_0");
    runAndWait(view);
    const auto first = view.lastRun();
    view.controls()->setSteps(400);
    bool finished = false;
    QObject::connect(&view, &QuantView::runFinished, [&finished] { finished = true; });
    view.controls()->runButton()->click();
    REQUIRE(view.isRunning());
    CHECK_FALSE(view.controls()->runButton()->isEnabled());
    view.controls()->cancelButton()->click();
    REQUIRE(waitFor([&] { return finished; }, 60000));
    CHECK(view.errorText().isEmpty());
    CHECK(view.controls()->message().startsWith(QStringLiteral("Cancelled")));
    CHECK(view.lastRun() == first);  // the finished comparison stays
    CHECK(view.controls()->runButton()->isEnabled());
}

TEST_CASE("kvscope --screenshot --view quant runs the default comparison first",
          "[ui][quant][app]") {
    QTemporaryDir dir;
    const auto run = [&](const QStringList& args) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(KVSCOPE_APP_PATH), args);
        REQUIRE(process.waitForFinished(120'000));
        return std::pair{process.exitCode(), QString::fromUtf8(process.readAllStandardError())};
    };
    const QString path = dir.filePath("quant.png");
    const auto [code, err] = run({"--screenshot", path, "--view", "quant", "--steps", "2"});
    INFO(err.toStdString());
    CHECK(code == 0);
    CHECK(QImage(path).size() == QSize(1280, 800));
    // A prompt too long for the comparison's 48 greedy steps in a 512-token context: a message
    // naming the problem, exit 2, no file.
    const QString bad = dir.filePath("bad.png");
    const auto [bad_code, bad_err] = run({"--screenshot", bad, "--view", "quant", "--steps", "2",
                                          "--prompt", QString(470, QLatin1Char('a'))});
    CHECK(bad_code == 2);
    CHECK(bad_err.contains(QStringLiteral("519 positions exceed the 512-token context")));
    CHECK_FALSE(QFile::exists(bad));
}

// The Eviction view's JSON export: written through the view's real export target, it is the
// object `kvscope-cli evict-eval --json` prints for the same comparison (the real CLI run on the
// same tokens), with the bytes and counts worked out by hand for the demo model.
#include <catch2/catch.hpp>

#include <QComboBox>
#include <QFile>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>

#include "core/model/model_source.h"
#include "core/model/prompt_tokens.h"
#include "core/util/json_value.h"
#include "tests/ui/window_test_util.h"
#include "ui/evict/evict_controls.h"
#include "ui/evict/evict_view.h"
#include "ui/export/export_menu.h"
#include "ui/export/view_export.h"
#include "ui/widgets/count_edit.h"
#include "ui/widgets/eviction_controls.h"
#include "ui/window/view_tabs.h"

using namespace kvscope;

namespace {

const QString kPrompt = QStringLiteral("KVScope KVScope KVSc");  // BOS + 20 demo tokens
constexpr int kSteps = 24;

QByteArray readFile(const QString& path) {
    QFile file(path);
    REQUIRE(file.open(QIODevice::ReadOnly));
    return file.readAll();
}

/// Whether two parsed JSON values hold the same members, items and values (numbers exactly).
bool sameJson(const JsonValue& a, const JsonValue& b, std::string& where) {
    where = a.path();
    if (a.kind() != b.kind()) return false;
    if (a.isObject()) {
        if (a.size() != b.size()) return false;
        for (const JsonMember& m : a.members()) {
            const JsonValue* other = b.find(m.key);
            if (!other || !sameJson(m.value, *other, where)) return false;
        }
        return true;
    }
    if (a.isArray()) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!sameJson(a.at(i), b.at(i), where)) return false;
        return true;
    }
    if (a.isString()) return a.asString() == b.asString();
    if (a.isBool()) return a.asBool() == b.asBool();
    if (a.isNumber()) return a.asDouble() == b.asDouble();
    return true;  // null
}

}  // namespace

TEST_CASE("the Eviction view exports its comparison as evict-eval's JSON",
          "[ui][eviction][evict_view][export]") {
    MainWindow window;
    requireIdle(window);
    EvictView& view = *window.views()->evict();
    EvictControls& controls = *view.controls();
    controls.setPrompt(kPrompt);
    controls.setSteps(kSteps);
    controls.layoutBox()->setCurrentIndex(
        controls.layoutBox()->findData(int(CacheLayout::Contiguous)));
    EvictionControls& fields = *controls.eviction();
    fields.policyBox()->setCurrentIndex(fields.policyBox()->findData(QStringLiteral("streaming")));
    fields.budgetEdit()->setText(QStringLiteral("16"));
    fields.sinksBox()->setValue(4);

    // Before a run there is nothing to export, and the export says so.
    const ExportTarget target = findExportTarget(&window, QStringLiteral("evict"));
    REQUIRE(target.widget);
    REQUIRE(target.json);
    QTemporaryDir dir;
    const QString path = dir.filePath("evict.json");
    CHECK(exportToFile(target, ExportFormat::Json, path).contains("run it first"));
    CHECK_FALSE(QFile::exists(path));
    // A chart without a JSON export refuses the format by name.
    CHECK(
        exportToFile(findExportTarget(&window, QStringLiteral("heatmap")), ExportFormat::Json, path)
            .contains("has no JSON export"));

    bool finished = false;
    QObject::connect(&view, &EvictView::runFinished, [&finished] { finished = true; });
    controls.runButton()->click();
    REQUIRE(waitFor([&] { return finished; }, 120000));
    REQUIRE(view.errorText().isEmpty());
    REQUIRE(view.lastRun());

    REQUIRE(exportToFile(target, ExportFormat::Json, path).isEmpty());
    const JsonValue gui = parseJson(readFile(path).toStdString(), "evict.json");
    // By hand (demo model, fp32 K and V: 4 layers x 4 KV heads x 16 values x 4 B x 2 = 2048 B a
    // position): 21 prompt positions + 24 greedy tokens = 45 tokens, 24 compared steps; after the
    // last teacher-forced step 44 positions are seen: the full cache holds 44 x 2048 B, streaming
    // its budget of 16 (4 sinks + 12 recent) = 32768 B; contiguous reserves 512 x 2048 B.
    CHECK(gui.at("model").asString() == "builtin:demo");
    CHECK(gui.at("layout").asString() == "contiguous");
    CHECK(gui.at("kv").asString() == "fp32");
    CHECK(gui.at("n_tokens").asInt64() == 45);
    CHECK(gui.at("prefill_tokens").asInt64() == 21);
    CHECK(gui.at("n_steps").asInt64() == kSteps);
    CHECK(gui.at("reference_logical_bytes").asInt64() == 44 * 2048);
    CHECK(gui.at("reference_physical_bytes").asInt64() == 512 * 2048);
    REQUIRE(gui.at("rows").size() == 1);
    const JsonValue& row = gui.at("rows").at(std::size_t(0));
    CHECK(row.at("label").asString() == "streaming b16 s4");
    CHECK(row.at("policy").asString() == "streaming");
    CHECK(row.at("budget").asInt64() == 16);
    CHECK(row.at("sinks").asInt64() == 4);
    CHECK(row.at("positions").asString() == "original");
    CHECK_FALSE(row.at("per_head").asBool());
    CHECK(row.at("budget_shape").asString() == "uniform");
    CHECK(row.at("logical_bytes").asInt64() == 16 * 2048);
    CHECK(row.at("physical_bytes").asInt64() == 512 * 2048);
    CHECK(row.at("held_tokens").asInt64() == 16);
    CHECK(row.at("top1_agreement").asDouble() >= 0.0);
    CHECK(row.at("top1_agreement").asDouble() <= 1.0);
    // Per step: the prompt's 21 positions already exceed the budget, so every step holds 16
    // entries of 2 KiB in the contiguous reservation of 512 rows, with no holes.
    for (const char* name : {"step_logical_bytes", "step_physical_bytes", "step_holes"}) {
        INFO(name);
        REQUIRE(row.at(name).size() == std::size_t(kSteps));
    }
    for (std::size_t i = 0; i < std::size_t(kSteps); ++i) {
        CHECK(row.at("step_logical_bytes").at(i).asInt64() == 16 * 2048);
        CHECK(row.at("step_physical_bytes").at(i).asInt64() == 512 * 2048);
        CHECK(row.at("step_holes").at(i).asInt64() == 0);
    }

    // The real CLI on the same tokens (the demo model spells one byte a token: the sequence's
    // text, prompt and continuation, tokenizes back to it) prints the same object but its source.
    const auto model = loadModel("builtin:demo");
    std::string text;
    const std::vector<TokenId>& tokens = view.lastRun()->result.tokens;
    for (std::size_t i = 1; i < tokens.size(); ++i)
        text += model->tokenizer->decode(tokens[i]);
    REQUIRE(promptTokens(*model, text) == tokens);
    const QString text_path = dir.filePath("sequence.txt");
    {
        QFile file(text_path);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(text));
    }
    QProcess cli;
    cli.start(QStringLiteral(KVSCOPE_CLI_PATH),
              {"evict-eval", "--model", "builtin:demo", "--text", text_path, "--prefill", "21",
               "--steps", QString::number(kSteps), "--policies", "streaming", "--budget", "16",
               "--sinks", "4", "--layout", "contiguous", "--json"});
    REQUIRE(cli.waitForFinished(120000));
    INFO(cli.readAllStandardError().toStdString());
    REQUIRE(cli.exitCode() == 0);
    const JsonValue reference = parseJson(cli.readAllStandardOutput().toStdString(), "cli");
    CHECK(reference.at("source").asString() != gui.at("source").asString());
    CHECK(gui.at("source").asString().find("Eviction view") != std::string::npos);
    std::string where;
    for (const JsonMember& m : reference.members()) {
        if (m.key == "source") continue;
        const JsonValue* mine = gui.find(m.key);
        INFO("member " << m.key);
        REQUIRE(mine);
        const bool same = sameJson(m.value, *mine, where);
        INFO("differs at " << where);
        CHECK(same);
    }
    CHECK(gui.size() == reference.size());
}

// The Memory view: real widgets under the offscreen platform, checked against the core estimator
// and hand calculations.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSpinBox>
#include <QStackedBarSeries>
#include <QTemporaryDir>
#include <cmath>

#include "core/memory/gpu_presets.h"
#include "core/memory/model_file.h"
#include "core/memory/model_presets.h"
#include "core/model/model_source.h"
#include "tests/core/gguf_test_files.h"
#include "ui/memory/memory_capacity_chart.h"
#include "ui/memory/memory_context_chart.h"
#include "ui/memory/memory_formula_panel.h"
#include "ui/memory/memory_inputs.h"
#include "ui/memory/memory_variants_table.h"
#include "ui/memory/memory_view.h"
#include "ui/widgets/count_edit.h"

using namespace kvscope;

namespace {

/// The y of the point at x = `context` on `line`; NaN when the line has no such point.
double yAt(const QLineSeries& line, std::int64_t context) {
    for (const QPointF& p : line.points()) {
        if (p.x() == double(context)) return p.y();
    }
    return std::nan("");
}

/// The index of the curve whose legend starts with `label`; -1 if none.
int curveIndex(const MemoryContextChart& chart, const QString& label) {
    for (int i = 0; i < chart.curveCount(); ++i) {
        if (chart.curve(i).label.startsWith(label)) return i;
    }
    return -1;
}

/// The cell of figure `row` in the column of the variant whose label starts with `variant`.
QTableWidgetItem* cell(const MemoryVariantsTable& table, MemoryVariantsTable::Row row,
                       const QString& variant) {
    const int column = table.columnOf(variant);
    REQUIRE(column >= 0);
    REQUIRE(table.item(row, column));
    return table.item(row, column);
}

qlonglong cellBytes(const MemoryVariantsTable& table, MemoryVariantsTable::Row row,
                    const QString& variant) {
    return cell(table, row, variant)->data(Qt::UserRole).toLongLong();
}

/// A view on `preset` at `context` tokens, fp16, batch 1, paged, TP 1, on an H100-80GB.
void setUp(MemoryView& view, const char* preset, std::int64_t context) {
    REQUIRE(view.selectPreset(preset));
    view.inputs()->selectDtype(KvDtype::F16);
    view.inputs()->contextEdit()->setValue(context);
    view.inputs()->batchEdit()->setValue(1);
    view.inputs()->prefixEdit()->setValue(0);
    view.inputs()->tpSpin()->setValue(1);
    view.inputs()->selectGpu("H100-80GB");
    REQUIRE(view.errorText().isEmpty());
    REQUIRE(view.study());
}

void writeText(const QString& path, const QByteArray& text) {
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(text);
}

QPalette darkPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(30, 32, 36));
    p.setColor(QPalette::WindowText, QColor(225, 228, 232));
    p.setColor(QPalette::Base, QColor(22, 24, 28));
    p.setColor(QPalette::AlternateBase, QColor(38, 41, 46));
    p.setColor(QPalette::Text, QColor(225, 228, 232));
    p.setColor(QPalette::Button, QColor(45, 48, 54));
    p.setColor(QPalette::ButtonText, QColor(225, 228, 232));
    p.setColor(QPalette::PlaceholderText, QColor(140, 146, 155));
    return p;
}

}  // namespace

TEST_CASE("Memory view: Llama-2-7B fp16 is 524288 B per token in the table and the chart",
          "[memory]") {
    MemoryView view;
    setUp(view, "llama-2-7b", 4096);
    const MemoryVariantsTable& table = *view.variantsTable();
    CHECK(table.columnOf("as-is") == 0);
    CHECK(table.variantLabel(0) == "as-is (MHA)");
    CHECK(cellBytes(table, MemoryVariantsTable::PerTokenRow, "as-is") == 524288);
    CHECK(cell(table, MemoryVariantsTable::PerTokenRow, "as-is")->text() == "512.00 KiB");
    CHECK(cell(table, MemoryVariantsTable::PerTokenRow, "as-is")->toolTip().contains("524,288 B"));
    CHECK(cell(table, MemoryVariantsTable::KindRow, "as-is")->text() == "MHA");
    CHECK(cellBytes(table, MemoryVariantsTable::PerSequenceRow, "as-is") ==
          4096 * qlonglong(524288));

    const MemoryContextChart& chart = *view.variantChart();
    REQUIRE(chart.curveCount() == 4);  // as-is (MHA), GQA-8, MQA, MLA
    CHECK(chart.curve(0).label == "as-is (MHA)");
    CHECK(yAt(*chart.line(0), 4096) == 4096.0 * 524288.0);
    CHECK(chart.line(0)->points().front() == QPointF(0, 0));
    // The dots mark the chosen context on every line.
    CHECK(chart.markerDots()->count() == chart.curveCount());
}

TEST_CASE("Memory view: the MQA and MLA variants match the hand calculation", "[memory]") {
    MemoryView view;
    setUp(view, "llama-2-7b", 4096);
    const MemoryContextChart& chart = *view.variantChart();
    const int mqa = curveIndex(chart, "MQA");
    REQUIRE(mqa >= 0);
    const std::int64_t per_token = 2 * 32 * 1 * 128 * 2;  // K and V x layers x 1 head x dim x 2 B
    CHECK(yAt(*chart.line(mqa), 4096) == double(4096 * per_token));
    CHECK(cellBytes(*view.variantsTable(), MemoryVariantsTable::PerTokenRow, "MQA") == per_token);
    const int mla = curveIndex(chart, "MLA");
    REQUIRE(mla >= 0);
    CHECK(chart.curve(mla).label.contains("hypothetical"));
    CHECK(chart.curve(mla).tooltip.contains("DeepSeek-V2"));
    CHECK(yAt(*chart.line(mla), 4096) == double(4096 * (512 + 64) * 2 * 32));
}

TEST_CASE("Memory view: a new dtype shows at once and equals the core estimator", "[memory]") {
    MemoryView view;
    setUp(view, "llama-2-7b", 4096);
    // No event loop turn between the edit and the checks: the view recomputes synchronously.
    REQUIRE(view.inputs()->selectDtype(KvDtype::INT8));
    REQUIRE(view.errorText().isEmpty());
    CacheSpec int8;
    int8.k_dtype = int8.v_dtype = KvDtype::INT8;
    const ModelShape& llama = findModelPreset("llama-2-7b").shape;
    const MemoryReport direct = estimateMemory(llama, int8, {.context = 4096},
                                               view.scenario().weights, view.scenario().gpu);
    CHECK(view.study()->report.kv_bytes_per_sequence == direct.kv_bytes_per_sequence);
    CHECK(direct.kv_bytes_per_token == 2 * 32 * 32 * (128 + 2));  // 1 B per value + fp16 scale
    CHECK(yAt(*view.variantChart()->line(0), 4096) == double(direct.kv_bytes_per_sequence));
    CHECK(cellBytes(*view.variantsTable(), MemoryVariantsTable::PerTokenRow, "as-is") ==
          direct.kv_bytes_per_token);
    CHECK(cellBytes(*view.variantsTable(), MemoryVariantsTable::MaxBatchRow, "as-is") ==
          direct.max_batch);

    const MemoryContextChart& dtypes = *view.dtypeChart();
    REQUIRE(dtypes.curveCount() == int(kvDtypes().size()));
    for (int i = 0; i < dtypes.curveCount(); ++i) {
        const KvDtype dtype = kvDtypes()[std::size_t(i)].dtype;
        INFO(dtypes.curve(i).label.toStdString());
        CacheSpec spec;
        spec.k_dtype = spec.v_dtype = dtype;
        CHECK(yAt(*dtypes.line(i), 4096) == double(kvSequenceBytes(llama, spec, 32, 4096)));
        CHECK(dtypes.curve(i).emphasised == (dtype == KvDtype::INT8));
        CHECK(dtypes.line(i)->pen().widthF() > (dtype == KvDtype::INT8 ? 3.0 : 0.0));
    }
}

TEST_CASE("Memory view: Mistral-7B at 32k holds only its 4096-token window", "[memory]") {
    MemoryView view;
    setUp(view, "mistral-7b-v0.1", 4096);
    view.inputs()->contextEdit()->setText("32k");
    REQUIRE(view.errorText().isEmpty());
    CHECK(view.scenario().workload.context == 32768);
    const std::int64_t window_bytes = 4096 * std::int64_t(131072);  // 4096 tokens x 128 KiB
    CHECK(view.study()->report.kv_bytes_per_sequence == window_bytes);
    CHECK(yAt(*view.variantChart()->line(0), 32768) == double(window_bytes));
    CHECK(yAt(*view.variantChart()->line(0), 4096) == double(window_bytes));  // the bend
    CHECK(cellBytes(*view.variantsTable(), MemoryVariantsTable::PerSequenceRow, "as-is") ==
          window_bytes);
}

TEST_CASE("Memory view: DeepSeek-V2 caches a 69120 B MLA latent per token", "[memory]") {
    MemoryView view;
    setUp(view, "deepseek-v2", 4096);
    const MemoryVariantsTable& table = *view.variantsTable();
    CHECK(cell(table, MemoryVariantsTable::KindRow, "as-is")->text() == "MLA");
    CHECK(cellBytes(table, MemoryVariantsTable::PerTokenRow, "as-is") == 69120);
    CHECK(cell(table, MemoryVariantsTable::KvHeadsRow, "as-is")->text() == "latent");
    CHECK(cell(table, MemoryVariantsTable::KvHeadsRow, "as-is")
              ->toolTip()
              .startsWith("one latent of 512 (kv_lora_rank) + 64 (qk_rope_head_dim)"));
    // Its MHA equivalent: 128 heads x (K 192 + V 128) x 2 B x 60 layers.
    CHECK(cellBytes(table, MemoryVariantsTable::PerTokenRow, "MHA") == 128 * (192 + 128) * 2 * 60);
    CHECK(curveIndex(*view.variantChart(), "MLA (") == -1);  // no hypothetical latent
}

TEST_CASE("Memory view: bad input names its field and keeps the last good charts", "[memory]") {
    MemoryView view;
    setUp(view, "llama-2-7b", 4096);
    const QString before = view.errorLabel()->text();
    CHECK(before.isEmpty());
    const double good = yAt(*view.variantChart()->line(0), 4096);
    MemoryInputs& in = *view.inputs();

    in.contextEdit()->setText("0");
    CHECK(view.errorText().startsWith("Context: must be at least 1 token"));
    CHECK(view.errorLabel()->isVisibleTo(&view));
    in.contextEdit()->setText("1000000000000");  // 10^12
    CHECK(view.errorText().startsWith("Context: 1000000000000 tokens is more than"));
    in.contextEdit()->setText("lots");
    CHECK(view.errorText().startsWith("Context: 'lots' is not a whole number"));
    CHECK(yAt(*view.variantChart()->line(0), 4096) == good);  // the last good state stays
    CHECK(view.scenario().workload.context == 4096);
    in.contextEdit()->setText("4096");
    CHECK(view.errorText().isEmpty());

    in.batchEdit()->setText("-3");
    CHECK(view.errorText().startsWith("Batch: must be at least 1 sequence, got -3"));
    in.batchEdit()->setText("1");
    in.prefixEdit()->setText("5000");
    CHECK(view.errorText().startsWith("Shared prefix:"));
    in.prefixEdit()->setText("0");
    in.tpSpin()->setValue(3);
    CHECK(view.errorText().startsWith("Tensor parallel: 3 GPUs do not divide the 32 query heads"));
    in.tpSpin()->setValue(1);
    in.selectDtype(KvDtype::KIVI2);  // paged by default
    CHECK(view.errorText().startsWith("KV dtype: kivi2 is modelled for the contiguous layout"));
    in.layoutCombo()->setCurrentIndex(in.layoutCombo()->findData(int(KvLayout::Contiguous)));
    CHECK(view.errorText().isEmpty());
    CHECK(view.scenario().cache.k_dtype == KvDtype::KIVI2);
}

TEST_CASE("Memory view: a variant that TP cannot split says why in its column", "[memory]") {
    MemoryView view;
    setUp(view, "llama-2-13b", 4096);  // 40 query heads
    view.inputs()->tpSpin()->setValue(5);
    REQUIRE(view.errorText().isEmpty());  // the model itself splits over 5 GPUs
    const MemoryVariantsTable& table = *view.variantsTable();
    const QString error = cell(table, MemoryVariantsTable::KindRow, "GQA-8")->text();
    CHECK(error.contains("5 does not divide the 8 KV heads"));
    CHECK(table.rowSpan(MemoryVariantsTable::KindRow, table.columnOf("GQA-8")) ==
          MemoryVariantsTable::RowCount);
    CHECK(curveIndex(*view.variantChart(), "GQA-8") == -1);
    CHECK(cell(table, MemoryVariantsTable::KindRow, "MQA")->text() == "MQA");
}

TEST_CASE("Memory view: bad model files are refused with the key named", "[memory]") {
    MemoryView view;
    setUp(view, "llama-2-7b", 4096);
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    const QByteArray base =
        R"("model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
           "vocab_size": 32000, "max_position_embeddings": 4096, "intermediate_size": 11008)";

    const QString zero = dir.filePath("zero_heads.json");
    writeText(zero, "{" + base + R"(, "num_attention_heads": 0})");
    CHECK_FALSE(view.loadModelFile(zero));
    CHECK(view.errorText().startsWith("Model file: "));
    CHECK(view.errorText().contains("num_attention_heads"));

    const QString uneven = dir.filePath("uneven_heads.json");
    writeText(uneven, "{" + base + R"(, "num_attention_heads": 32, "num_key_value_heads": 5})");
    CHECK_FALSE(view.loadModelFile(uneven));
    CHECK(view.errorText().contains("not divisible"));
    CHECK(view.scenario().shape.name == "meta-llama/Llama-2-7b-hf");  // the previous model stays

    CHECK_FALSE(view.loadModelFile(dir.filePath("missing.json")));
    CHECK(view.errorText().contains("missing.json"));

    const QString good = dir.filePath("config.json");
    writeText(good, "{" + base + R"(, "num_attention_heads": 32, "num_key_value_heads": 8})");
    REQUIRE(view.loadModelFile(good));
    CHECK(view.errorText().isEmpty());
    CHECK(view.inputs()->modelKey() == MemoryInputs::kExternalKey);
    CHECK(view.study()->report.kv_bytes_per_token == 131072);  // GQA: 2 x 8 x 128 x 2 B x 32
}

TEST_CASE("Memory view: a GGUF header and another view's model", "[memory]") {
    MemoryView view;
    setUp(view, "llama-2-7b", 256);
    const std::optional<std::string> path = test::realModelPath("stories260K.gguf");
    if (!path) return;
    REQUIRE(view.loadModelFile(QString::fromStdString(*path)));
    const ModelFileShape file = readModelFileShape(*path);
    CHECK(view.scenario().shape.n_kv_heads == file.shape.n_kv_heads);
    CHECK(cellBytes(*view.variantsTable(), MemoryVariantsTable::PerTokenRow, "as-is") ==
          kvTokenLayerBytes(file.shape, CacheSpec{}, file.shape.n_kv_heads) * file.shape.n_layers);

    const std::shared_ptr<const Model> model = loadModel("builtin:demo");
    const ModelConfig& demo = model->config;
    view.setModelConfig(demo, "builtin:demo");
    CHECK(view.errorText().isEmpty());
    CHECK(view.scenario().shape.n_layers == demo.n_layers);
    CHECK(view.inputs()->modelCombo()->currentText().contains(QString::fromStdString(demo.name)));
}

TEST_CASE("Memory view: the capacity line is the GPU preset's bytes", "[memory]") {
    MemoryView view;
    setUp(view, "llama-2-7b", 4096);
    const MemoryCapacityChart& chart = *view.capacityChart();
    REQUIRE(chart.capacityLine());
    CHECK(chart.capacityLine()->at(0).y() == 80000000000.0);
    CHECK(chart.capacityLine()->at(1).y() == 80000000000.0);
    CHECK(chart.usableLine()->at(0).y() == 72000000000.0);  // x 0.9
    // The as-is bar stacks the report's weights and KV per GPU.
    const MemoryReport& r = view.study()->report;
    const QList<QBarSet*> sets = chart.bars()->barSets();
    REQUIRE(sets.size() == 3);
    CHECK(sets[0]->at(0) == double(r.weights_bytes_per_gpu));
    CHECK(sets[1]->at(0) + sets[2]->at(0) == double(r.kv_bytes_per_gpu));

    REQUIRE(view.inputs()->selectGpu("A10G"));  // stated in GiB
    CHECK(chart.capacityLine()->at(0).y() == double(findGpuPreset("A10G").bytes));
    CHECK(findGpuPreset("A10G").bytes == 24 * (std::int64_t(1) << 30));

    REQUIRE(view.inputs()->selectGpu("custom"));
    view.inputs()->gpuMemorySpin()->setValue(48.0);
    CHECK(chart.capacityLine()->at(0).y() == 48.0 * 1073741824.0);

    REQUIRE(view.inputs()->selectGpu("none"));
    CHECK(chart.capacityLine() == nullptr);
    CHECK(cell(*view.variantsTable(), MemoryVariantsTable::FitsRow, "as-is")->text() == "\u2014");
}

TEST_CASE("Memory view: formulas with sources, selectable, and the charts to export", "[memory]") {
    MemoryView view;
    setUp(view, "llama-3-8b", 8192);
    const QString text = view.formulaPanel()->toPlainText();
    CHECK(text.contains("kv_bytes_per_token"));
    CHECK(text.contains("8 KV heads x (K 128 x 2 B + V 128 x 2 B)"));
    CHECK(text.contains("config.json key 'num_key_value_heads'"));
    CHECK(text.contains("context = 8192 (user input)"));
    CHECK(view.formulaPanel()->textInteractionFlags() & Qt::TextSelectableByMouse);
    const QList<QChartView*> charts = view.chartViews();
    REQUIRE(charts.size() == 3);
    for (QChartView* chart : charts) {
        CHECK(chart->renderHints() & QPainter::Antialiasing);
        CHECK_FALSE(chart->chart()->title().isEmpty());
    }
}

TEST_CASE("Memory view: count fields read 32k and grouped digits", "[memory]") {
    CHECK(parseCount("32k") == 32768);
    CHECK(parseCount("128K") == 131072);
    CHECK(parseCount("1M") == 1048576);
    CHECK(parseCount(" 32,768 ") == 32768);
    CHECK(parseCount("-3") == -3);
    CHECK_FALSE(parseCount("abc"));
    CHECK_FALSE(parseCount(""));
    CHECK_FALSE(parseCount("99999999999999999999"));
    CHECK_FALSE(parseCount("9000000000000000000k"));
}

TEST_CASE("Memory view: screenshots in the light and a dark palette", "[memory][screenshot]") {
    MemoryView view;
    setUp(view, "llama-3.1-8b", 32768);
    view.inputs()->batchEdit()->setValue(16);
    view.resize(1400, 900);
    view.ensurePolished();
    REQUIRE(view.grab().save("/tmp/memory_view.png"));

    view.setPalette(darkPalette());
    QApplication::processEvents();  // palette changes reach the children as events
    const QColor background = view.variantChart()->chart()->backgroundBrush().color();
    CHECK(background.lightness() < 100);
    CHECK(view.capacityChart()->chart()->backgroundBrush().color().lightness() < 100);
    REQUIRE(view.grab().save("/tmp/memory_view_dark.png"));

    view.inputs()->tpSpin()->setValue(3);  // 32 heads do not split over 3 GPUs
    CHECK(view.errorText().startsWith("Tensor parallel:"));
    REQUIRE(view.grab().save("/tmp/memory_view_error.png"));
}

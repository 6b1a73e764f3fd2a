// Chart and heatmap exports: every format parses (PNG at each scale, SVG as XML, PDF with one
// page, CSV with the chart's numbers), failures leave no file, and the menus list the targets.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLineSeries>
#include <QMenu>
#include <QMenuBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <cmath>

#include "ui/engine/trace_model.h"
#include "ui/export/export_csv.h"
#include "ui/export/export_menu.h"
#include "ui/export/view_export.h"
#include "ui/generate/cache_growth_chart.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/memory/memory_context_chart.h"
#include "ui/memory/memory_view.h"
#include "ui/window/main_window.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

namespace {

// builtin:demo (docs/demo-model.md): 4 layers, 4 KV heads of 16 dims, fp32, one token per byte.
constexpr int kLayers = 4;
constexpr int kBytesPerLayerPerPosition = 2 * 4 * 16 * 4;  // K and V, 4 KV heads, 16 dims, 4 B
const QString kPrompt = QStringLiteral("KVScope KVScope KVSc");  // 20 bytes
constexpr int kSteps = 4;
constexpr int kPositions = 1 + 20 + kSteps;  // <s>, the prompt, one position per decode step

/// A window shown offscreen at 1280x800 with the demo scenario run.
struct ShownWindow {
    MainWindow window;
    ShownWindow() {
        window.setAttribute(Qt::WA_DontShowOnScreen, true);
        window.resize(1280, 800);
        window.show();
        runScenario(window, QStringLiteral("builtin:demo"), kPrompt, kSteps);
        QApplication::processEvents();
    }
    ExportTarget target(const QString& name) {
        ExportTarget found = findExportTarget(&window, name);
        REQUIRE(found.widget);
        return found;
    }
};

QByteArray readFile(const QString& path) {
    QFile file(path);
    REQUIRE(file.open(QIODevice::ReadOnly));
    return file.readAll();
}

QStringList lines(const QString& csv) {
    QStringList rows = csv.split(QLatin1Char('\n'));
    REQUIRE(rows.last().isEmpty());  // ends with a newline
    rows.removeLast();
    return rows;
}

/// "/Type /Page" not followed by "s" (that would be the page tree, /Type /Pages).
int pdfPageCount(const QByteArray& pdf) {
    int count = 0;
    const QByteArray needle("/Type /Page");
    for (qsizetype at = pdf.indexOf(needle); at >= 0; at = pdf.indexOf(needle, at + 1))
        if (at + needle.size() >= pdf.size() || pdf[at + needle.size()] != 's') ++count;
    return count;
}

}  // namespace

TEST_CASE("export PNG renders at 1x to 4x the widget's pixels", "[ui][export]") {
    ShownWindow shown;
    QTemporaryDir dir;
    for (const QString& name : {QStringLiteral("heatmap"), QStringLiteral("cache-growth")}) {
        const ExportTarget target = shown.target(name);
        const QSize size = target.widget->size();
        REQUIRE(size.width() > 100);
        for (int scale = 1; scale <= 4; ++scale) {
            const QString path = dir.filePath(QStringLiteral("%1@%2.png").arg(name).arg(scale));
            CHECK(exportToFile(target, ExportFormat::Png, path, scale).isEmpty());
            QImage image;
            REQUIRE(image.load(path, "PNG"));
            CHECK(image.size() == size * scale);
        }
        // Rendered, not enlarged: a pixel-doubled 1x image would have uniform 2x2 blocks.
        const QImage doubled(dir.filePath(name + "@2.png"));
        int mixed_blocks = 0;
        for (int y = 0; y + 1 < doubled.height(); y += 2)
            for (int x = 0; x + 1 < doubled.width(); x += 2)
                if (doubled.pixel(x, y) != doubled.pixel(x + 1, y + 1)) ++mixed_blocks;
        CHECK(mixed_blocks > 100);
    }
    const ExportTarget heatmap = shown.target("heatmap");
    QString error;
    CHECK(!exportBytes(heatmap, ExportFormat::Png, 5, &error));
    CHECK(error.contains("scale"));
}

TEST_CASE("export SVG is well-formed XML with an svg root and vector content", "[ui][export]") {
    ShownWindow shown;
    QTemporaryDir dir;
    for (const QString& name :
         {QStringLiteral("heatmap"), QStringLiteral("compute"), QStringLiteral("cache-growth")}) {
        const QString path = dir.filePath(name + ".svg");
        REQUIRE(exportToFile(shown.target(name), ExportFormat::Svg, path).isEmpty());
        const QByteArray svg = readFile(path);
        QXmlStreamReader xml(svg);
        QString root;
        int elements = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::StartElement) {
                if (root.isEmpty()) root = xml.name().toString();
                ++elements;
            }
        }
        INFO(name.toStdString() << ": " << xml.errorString().toStdString());
        CHECK(!xml.hasError());
        CHECK(root == "svg");
        CHECK(elements > 20);
        CHECK(svg.contains("<text"));  // labels stay text, not pixels
    }
}

TEST_CASE("export PDF is one page the size of the widget", "[ui][export]") {
    ShownWindow shown;
    QTemporaryDir dir;
    for (const QString& name : {QStringLiteral("heatmap"), QStringLiteral("cache-growth")}) {
        const QString path = dir.filePath(name + ".pdf");
        REQUIRE(exportToFile(shown.target(name), ExportFormat::Pdf, path).isEmpty());
        const QByteArray pdf = readFile(path);
        CHECK(pdf.startsWith("%PDF-"));
        CHECK(pdfPageCount(pdf) == 1);
        CHECK(pdf.contains("/Type /Pages"));
    }
}

TEST_CASE("export CSV of the heatmap is the attention matrix with token labels", "[ui][export]") {
    ShownWindow shown;
    shown.window.views()->generate()->showHead(1, 0);
    const QStringList rows = lines(shown.target("heatmap").csv());
    REQUIRE(rows.size() == 1 + kPositions);
    const QStringList header = rows[0].split(',');
    REQUIRE(header.size() == 2 + kPositions);
    CHECK(header[0] == "query_position");
    CHECK(header[1] == "query_token");
    CHECK(header[2] == "key_0:<s>");
    CHECK(header[3] == "key_1:K");
    for (int q = 0; q < kPositions; ++q) {
        const QStringList fields = rows[1 + q].split(',');
        REQUIRE(fields.size() == 2 + kPositions);
        CHECK(fields[0] == QString::number(q));
        double sum = 0;
        for (int k = 0; k < kPositions; ++k) {
            if (k > q) {
                CHECK(fields[2 + k].isEmpty());  // masked: the future
            } else {
                sum += fields[2 + k].toDouble();
            }
        }
        CHECK(std::abs(sum - 1.0) < 1e-4);  // each row is a softmax
    }
}

TEST_CASE("export CSV of the cache growth is the bytes each layer holds", "[ui][export]") {
    ShownWindow shown;
    const QStringList rows = lines(shown.target("cache-growth").csv());
    REQUIRE(rows.size() == 1 + 1 + kSteps);  // header, prefill, decode steps
    const QStringList header = rows[0].split(',');
    CHECK(header.mid(0, 2 + kLayers + 1) ==
          QStringList({"step", "positions", "layer_0_kv_bytes", "layer_1_kv_bytes",
                       "layer_2_kv_bytes", "layer_3_kv_bytes", "total_kv_bytes"}));
    for (int r = 0; r <= kSteps; ++r) {
        const QStringList fields = rows[1 + r].split(',');
        REQUIRE(fields.size() == header.size());
        const int positions = 21 + r;
        CHECK(fields[0] == QString::number(r));
        CHECK(fields[1] == QString::number(positions));
        for (int l = 0; l < kLayers; ++l)
            CHECK(fields[2 + l] == QString::number(positions * kBytesPerLayerPerPosition));
        CHECK(fields[2 + kLayers] ==
              QString::number(positions * kBytesPerLayerPerPosition * kLayers));
    }
}

TEST_CASE("export CSV of the cost chart has one row per decode step", "[ui][export]") {
    ShownWindow shown;
    const QStringList rows = lines(shown.target("compute").csv());
    REQUIRE(rows.size() == 1 + kSteps);
    CHECK(rows[0] ==
          "step,cached_ms,recompute_ms,cached_ms_cumulative,recompute_ms_cumulative,"
          "cached_flops,recompute_flops,cached_flops_cumulative,recompute_flops_cumulative");
    double cached_sum = 0;
    for (int s = 1; s <= kSteps; ++s) {
        const QStringList fields = rows[s].split(',');
        REQUIRE(fields.size() == 9);
        CHECK(fields[0] == QString::number(s));
        const double cached_flops = fields[5].toDouble();
        cached_sum += cached_flops;
        CHECK(fields[7].toDouble() == Approx(cached_sum));
        CHECK(fields[6].toDouble() > cached_flops);  // recompute redoes the whole sequence
    }
}

TEST_CASE("export CSV of the head grid has one row per head and causal pair", "[ui][export]") {
    ShownWindow shown;
    shown.window.views()->generate()->setAllHeads(true);
    const QStringList rows = lines(shown.target("head-grid").csv());
    // 4 layers x 8 query heads x (1 + 2 + ... + 25) causal pairs.
    CHECK(rows.size() == 1 + 4 * 8 * (kPositions * (kPositions + 1) / 2));
    CHECK(rows[0] == "layer,head,kv_head,query_position,key_position,weight");
    CHECK(rows[1].startsWith("0,0,0,0,0,"));
    CHECK(rows.last().startsWith(QStringLiteral("3,7,3,%1,%1,").arg(kPositions - 1)));
}

TEST_CASE("export CSV of the memory charts lists every plotted point", "[ui][export]") {
    ShownWindow shown;
    REQUIRE(shown.window.views()->showView("memory"));
    QApplication::processEvents();
    MemoryContextChart* chart = shown.window.views()->memory()->variantChart();
    int points = 0;
    for (int c = 0; c < chart->curveCount(); ++c)
        points += chart->line(c)->count();
    REQUIRE(points > 0);
    const QStringList rows = lines(shown.target("memory").csv());
    CHECK(rows[0] == "curve,context_tokens,kv_bytes");
    CHECK(rows.size() == 1 + points);
    CHECK(rows[1].split(',').size() == 3);
    const QStringList capacity = lines(shown.target("memory-capacity").csv());
    CHECK(capacity[0].startsWith("variant,"));
    CHECK(capacity[0].endsWith("total_bytes,gpu_bytes,usable_bytes"));
    CHECK(capacity.size() > 1);
}

TEST_CASE("a failed export leaves no file and says why", "[ui][export]") {
    ShownWindow shown;
    QTemporaryDir dir;
    const ExportTarget heatmap = shown.target("heatmap");

    const QString missing = dir.filePath("no/such/dir/heatmap.png");
    const QString error = exportToFile(heatmap, ExportFormat::Png, missing, 2);
    CHECK(error.contains(missing));
    CHECK(!QFileInfo::exists(missing));

    // A regular file where a directory should be: refused even for root.
    QFile blocker(dir.filePath("file"));
    REQUIRE(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const QString under_file = dir.filePath("file/heatmap.svg");
    CHECK(exportToFile(heatmap, ExportFormat::Svg, under_file).contains("cannot write"));
    CHECK(!QFileInfo::exists(under_file));

    // A read-only directory (root may write anyway: then the export just succeeds).
    QDir(dir.path()).mkdir("ro");
    const QString ro = dir.filePath("ro");
    REQUIRE(QFile::setPermissions(ro, QFile::ReadOwner | QFile::ExeOwner));
    const QString in_ro = dir.filePath("ro/heatmap.pdf");
    const QString ro_error = exportToFile(heatmap, ExportFormat::Pdf, in_ro);
    if (::geteuid() != 0) {
        CHECK(ro_error.contains("cannot write"));
        CHECK(QDir(ro).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
    } else {
        CHECK(ro_error.isEmpty());
        CHECK(QDir(ro).entryList(QDir::NoDotAndDotDot | QDir::AllEntries) ==
              QStringList{"heatmap.pdf"});
    }
    QFile::setPermissions(ro, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    // An existing file survives a failed export unchanged.
    const QString kept = dir.filePath("kept.csv");
    REQUIRE(exportToFile(heatmap, ExportFormat::Csv, kept).isEmpty());
    const QByteArray before = readFile(kept);
    ExportTarget broken = heatmap;
    broken.csv = []() -> QString { throw std::runtime_error("no data today"); };
    CHECK(exportToFile(broken, ExportFormat::Csv, kept).contains("no data today"));
    CHECK(readFile(kept) == before);

    ExportTarget gone{QStringLiteral("x"), QStringLiteral("Nothing"), nullptr, {}};
    CHECK(exportToFile(gone, ExportFormat::Png, dir.filePath("x.png")).contains("nothing"));
    CHECK(!QFileInfo::exists(dir.filePath("x.png")));
}

TEST_CASE("copy image puts a 2x rendering on the clipboard", "[ui][export]") {
    ShownWindow shown;
    const ExportTarget heatmap = shown.target("heatmap");
    REQUIRE(copyImageToClipboard(heatmap, 2).isEmpty());
    CHECK(QApplication::clipboard()->image().size() == heatmap.widget->size() * 2);
}

TEST_CASE("the right-click menu and File > Export list the current tab's charts", "[ui][export]") {
    ShownWindow shown;
    const ExportTarget heatmap = shown.target("heatmap");
    CHECK(heatmap.widget->contextMenuPolicy() == Qt::CustomContextMenu);
    QMenu* menu = exportMenuFor(heatmap, heatmap.widget);
    QStringList texts;
    for (QAction* action : menu->actions())
        if (!action->isSeparator()) texts << action->text();
    CHECK(texts == QStringList({"Export PNG", "Export SVG\u2026", "Export PDF\u2026",
                                "Export data as CSV\u2026", "Copy image"}));
    CHECK(menu->actions().front()->menu()->actions().size() == 4);  // 1x .. 4x
    delete menu;

    const auto names = [](const QList<ExportTarget>& targets) {
        QStringList list;
        for (const ExportTarget& t : targets)
            list << t.name;
        return list;
    };
    QWidget* generate = shown.window.views()->currentWidget();
    CHECK(names(exportTargetsUnder(generate, true)) ==
          QStringList({"heatmap", "cache-growth", "compute"}));
    shown.window.views()->generate()->setAllHeads(true);
    CHECK(names(exportTargetsUnder(generate, true)) ==
          QStringList({"head-grid", "cache-growth", "compute"}));

    QMenu* file_export = nullptr;
    for (QMenu* m : shown.window.menuBar()->findChildren<QMenu*>())
        if (m->title() == "&Export") file_export = m;
    REQUIRE(file_export);
    REQUIRE(shown.window.views()->showView("memory"));
    // As a user would: the tab is laid out at its full width (the left docks step aside) before
    // the menu opens. Narrower, the Memory view shows its charts as tabs, and only one of them.
    QApplication::processEvents();
    REQUIRE_FALSE(shown.window.views()->memory()->isCompact());
    emit file_export->aboutToShow();
    QStringList titles;
    for (QAction* action : file_export->actions())
        titles << action->text();
    CHECK(titles ==
          QStringList({"KV bytes by attention variant", "KV bytes by KV dtype", "Memory per GPU"}));
}

TEST_CASE("csvNumber writes whole numbers exactly and NaN as empty", "[ui][export]") {
    CHECK(csvNumber(4294967296.0) == "4294967296");  // 4 GiB in bytes, not 4.29e+09
    CHECK(csvNumber(0.25) == "0.25");
    CHECK(csvNumber(std::nan("")).isEmpty());
    CHECK(attentionMatrixCsv(Matrix::Identity(2, 2), {"a,b", "c"}) ==
          "query_position,query_token,\"key_0:a,b\",key_1:c\n"
          "0,\"a,b\",1,\n"
          "1,c,0,1\n");
}

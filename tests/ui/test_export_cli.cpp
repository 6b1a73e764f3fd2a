// The real `kvscope-cli export` (offscreen, no display) on the demo model for every --what, and
// `kvscope FILE.kvscope.json --screenshot`.
#include <catch2/catch.hpp>

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QXmlStreamReader>

namespace {

struct Run {
    int exit_code = -1;
    QString out;
    QString err;
};

Run runProgram(const QString& program, const QStringList& args) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(name);  // no display at all: the command must cope by itself
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(program, args);
    const bool finished = process.waitForFinished(120'000);
    INFO(program.toStdString() << " " << args.join(' ').toStdString());
    REQUIRE(finished);
    REQUIRE(process.exitStatus() == QProcess::NormalExit);
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

Run runExport(const QStringList& args) {
    return runProgram(QStringLiteral(KVSCOPE_CLI_PATH), QStringList{"export"} + args);
}

QString writeScenario(const QTemporaryDir& dir) {
    const QString path = dir.filePath("demo.kvscope.json");
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(R"({"kvscope_scenario": 1, "model": "builtin:demo",
                   "prompt": "KVScope KVScope KVSc", "steps": 5,
                   "view": {"layer": 1, "head": 0}})");
    return path;
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    REQUIRE(file.open(QIODevice::ReadOnly));
    return file.readAll();
}

}  // namespace

TEST_CASE("kvscope-cli export writes every chart in every format headlessly", "[ui][cli][export]") {
    QTemporaryDir dir;
    const QString scenario = writeScenario(dir);
    struct Case {
        QString what, format;
        int scale;
    };
    const Case cases[] = {
        {"heatmap", "png", 2},         {"heatmap", "csv", 1},      {"head-grid", "svg", 1},
        {"cache-growth", "pdf", 1},    {"cache-growth", "csv", 1}, {"compute", "png", 1},
        {"compute", "csv", 1},         {"memory", "svg", 1},       {"memory-dtype", "csv", 1},
        {"memory-capacity", "pdf", 1},
    };
    for (const Case& c : cases) {
        const QString out = dir.filePath(c.what + "." + c.format);
        const Run run = runExport({"--scenario", scenario, "--what", c.what, "--format", c.format,
                                   "--out", out, "--scale", QString::number(c.scale)});
        INFO(c.what.toStdString() << " " << c.format.toStdString() << ": "
                                  << run.err.toStdString());
        REQUIRE(run.exit_code == 0);
        CHECK(run.out.startsWith("kvscope-cli export: wrote " + out));
        const QByteArray bytes = readFile(out);
        if (c.format == "png") {
            QImage image;
            REQUIRE(image.loadFromData(bytes, "PNG"));
            // The reported size is the image's: the widget's pixels times the scale.
            CHECK(run.out.contains(QStringLiteral("%1x%2").arg(image.width()).arg(image.height())));
            CHECK(image.width() % c.scale == 0);
            CHECK(image.width() > 200 * c.scale);
        } else if (c.format == "svg") {
            QXmlStreamReader xml(bytes);
            while (!xml.atEnd())
                xml.readNext();
            CHECK(!xml.hasError());
            CHECK(bytes.contains("<svg"));
        } else if (c.format == "pdf") {
            CHECK(bytes.startsWith("%PDF-"));
        } else {
            CHECK(bytes.count('\n') > 2);
        }
    }
    // The heatmap CSV: <s> + 20 prompt bytes + 5 steps = 26 positions, a header and 26 rows.
    const QList<QByteArray> rows = readFile(dir.filePath("heatmap.csv")).trimmed().split('\n');
    CHECK(rows.size() == 1 + 26);
    CHECK(rows.front().split(',').size() == 2 + 26);
    // The cache growth CSV: the prefill and 5 steps.
    CHECK(readFile(dir.filePath("cache-growth.csv")).trimmed().split('\n').size() == 1 + 6);
}

TEST_CASE("kvscope-cli export refuses bad input with exit 2 and no file", "[ui][cli][export]") {
    QTemporaryDir dir;
    const QString scenario = writeScenario(dir);
    const QString out = dir.filePath("x.png");
    Run run = runExport({"--scenario", scenario, "--what", "pie", "--format", "png", "--out", out});
    CHECK(run.exit_code == 2);
    CHECK(run.err.contains("--what"));
    run = runExport({"--scenario", scenario, "--what", "heatmap", "--format", "gif", "--out", out});
    CHECK(run.exit_code == 2);
    CHECK(run.err.contains("--format"));
    run = runExport({"--scenario", scenario, "--what", "heatmap", "--format", "png", "--out", out,
                     "--scale", "8"});
    CHECK(run.exit_code == 2);
    CHECK(run.err.contains("--scale"));
    run = runExport({"--scenario", dir.filePath("missing.kvscope.json"), "--what", "heatmap",
                     "--format", "png", "--out", out});
    CHECK(run.exit_code == 2);
    CHECK(run.err.contains("missing.kvscope.json"));
    run = runExport({"--scenario", scenario, "--what", "heatmap", "--format", "png", "--out",
                     dir.filePath("no/dir/x.png")});
    CHECK(run.exit_code == 2);
    CHECK(run.err.contains("cannot write"));
    CHECK(!QFileInfo::exists(out));
    CHECK(!QFileInfo::exists(dir.filePath("no/dir/x.png")));
}

TEST_CASE("kvscope-cli export runs the Paging and Quantization views' charts",
          "[ui][cli][export]") {
    QTemporaryDir dir;
    const QString scenario = writeScenario(dir);
    const QString paging = dir.filePath("paging.csv");
    Run run =
        runExport({"--scenario", scenario, "--what", "paging", "--format", "csv", "--out", paging});
    INFO(run.err.toStdString());
    REQUIRE(run.exit_code == 0);
    const QList<QByteArray> rows = readFile(paging).trimmed().split('\n');
    CHECK(rows.front() == "series,x (simulated step),y (held / reserved)");
    CHECK(rows.size() > 100);  // one row per simulated step and policy
    const QString quant = dir.filePath("quant.png");
    run = runExport({"--scenario", scenario, "--what", "quant", "--format", "png", "--out", quant,
                     "--scale", "2"});
    INFO(run.err.toStdString());
    REQUIRE(run.exit_code == 0);
    CHECK(QImage(quant).size() == QSize(1920, 1200));  // 960x600 alone, at 2x
    const QString blocks = dir.filePath("blocks.svg");
    run = runExport(
        {"--scenario", scenario, "--what", "paging-blocks", "--format", "svg", "--out", blocks});
    CHECK(run.exit_code == 0);
    CHECK(readFile(blocks).contains("<svg"));
    // The other charts of both views, one format each.
    const QStringList others[] = {{"paging-running", "csv"},
                                  {"paging-waste", "pdf"},
                                  {"quant-logits", "svg"},
                                  {"quant-heatmap", "csv"}};
    for (const QStringList& other : others) {
        const QString out = dir.filePath(other[0] + "." + other[1]);
        run = runExport(
            {"--scenario", scenario, "--what", other[0], "--format", other[1], "--out", out});
        INFO(other.join(' ').toStdString() << ": " << run.err.toStdString());
        CHECK(run.exit_code == 0);
        CHECK(readFile(out).size() > 100);
    }
    // |A_codec - A_fp32| of one head over the compared positions: a square matrix with labels.
    const QList<QByteArray> diff =
        readFile(dir.filePath("quant-heatmap.csv")).trimmed().split('\n');
    CHECK(diff.front().startsWith("query_position,query_token,key_0:"));
    CHECK(diff.front().split(',').size() == 2 + diff.size() - 1);
    run = runExport({"--scenario", scenario, "--what", "paging-blocks", "--format", "csv", "--out",
                     dir.filePath("blocks.csv")});
    // Issue #16: the help offered CSV for every chart but the block pool always failed; it is
    // now one row per cell of the simulated pool.
    INFO(run.err.toStdString());
    CHECK(run.exit_code == 0);
    const QList<QByteArray> cells = readFile(dir.filePath("blocks.csv")).trimmed().split('\n');
    REQUIRE(cells.size() > 2);
    CHECK(cells.front() == "cell,state,ref_count,fill_tokens,capacity_tokens,owners");
    CHECK(cells[1].startsWith("0,"));
    bool in_use = false;
    for (const QByteArray& line : cells)
        in_use = in_use || line.contains(",in-use,");
    CHECK(in_use);
}

TEST_CASE("kvscope FILE.kvscope.json --screenshot runs the scenario", "[ui][app][scenario]") {
    QTemporaryDir dir;
    const QString scenario = writeScenario(dir);
    const QString shot = dir.filePath("shot.png");
    const Run run = runProgram(QStringLiteral(KVSCOPE_APP_PATH), {scenario, "--screenshot", shot});
    INFO(run.err.toStdString());
    CHECK(run.exit_code == 0);
    CHECK(QImage(shot).size() == QSize(1280, 800));
}

TEST_CASE("kvscope-cli export writes the Eviction view's comparison as JSON",
          "[ui][cli][export][evict_view]") {
    QTemporaryDir dir;
    const QString scenario = dir.filePath("evict.kvscope.json");
    {
        QFile file(scenario);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"kvscope_scenario": 1, "model": "builtin:demo",
                       "prompt": "KVScope KVScope KVSc",
                       "view": {"name": "evict", "policy": "window", "budget": 16, "steps": 8}})");
    }
    const QString out = dir.filePath("evict.json");
    const Run run =
        runExport({"--scenario", scenario, "--what", "evict", "--format", "json", "--out", out});
    INFO(run.err.toStdString());
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.startsWith("kvscope-cli export: wrote " + out + " (evict, json)"));
    const QJsonObject root = QJsonDocument::fromJson(readFile(out)).object();
    // By hand: BOS + 20 prompt bytes + 8 greedy tokens = 29 tokens, 8 compared steps; after the
    // last teacher-forced step 28 positions are seen, a window of 16 holds 16 of them, each
    // 2048 B over the demo model's 4 layers (fp32 K and V, 4 KV heads of 16).
    CHECK(root.value("model").toString() == "builtin:demo");
    CHECK(root.value("layout").toString() == "paged (block 16)");
    CHECK(root.value("n_tokens").toInt() == 29);
    CHECK(root.value("n_steps").toInt() == 8);
    CHECK(root.value("reference_logical_bytes").toInt() == 28 * 2048);
    const QJsonArray rows = root.value("rows").toArray();
    REQUIRE(rows.size() == 1);
    const QJsonObject row = rows.first().toObject();
    CHECK(row.value("label").toString() == "window b16");
    CHECK(row.value("held_tokens").toInt() == 16);
    CHECK(row.value("logical_bytes").toInt() == 16 * 2048);
    // A chart without a JSON export refuses the format by name, and writes nothing.
    const QString heatmap = dir.filePath("heatmap.json");
    const Run refused = runExport(
        {"--scenario", scenario, "--what", "heatmap", "--format", "json", "--out", heatmap});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.contains("has no JSON export"));
    CHECK(!QFileInfo::exists(heatmap));
}

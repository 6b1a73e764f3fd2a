// The real `kvscope` binary: --screenshot, the headless fallback, and bad flags.
#include <catch2/catch.hpp>

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

namespace {

struct Run {
    int exit_code = -1;
    QString out;
    QString err;
};

Run runApp(const QStringList& args, const QProcessEnvironment& env) {
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(KVSCOPE_APP_PATH), args);
    const bool finished = process.waitForFinished(60'000);
    INFO("kvscope " << args.join(' ').toStdString());
    REQUIRE(finished);
    REQUIRE(process.exitStatus() == QProcess::NormalExit);
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QProcessEnvironment withoutDisplay() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    env.remove("QT_QPA_PLATFORM");
    return env;
}

}  // namespace

TEST_CASE("kvscope --screenshot writes a 1280x800 PNG and exits 0", "[ui][app]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("shot.png");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    const Run run =
        runApp({"--screenshot", path, "--steps", "6", "--model", "builtin:demo-gqa"}, env);
    INFO(run.err.toStdString());
    CHECK(run.exit_code == 0);
    QImage image;
    REQUIRE(image.load(path, "PNG"));
    CHECK(image.size() == QSize(1280, 800));
}

TEST_CASE("kvscope --screenshot needs no display at all", "[ui][app]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("shot.png");
    const Run run = runApp({"--screenshot", path, "--steps", "2"}, withoutDisplay());
    INFO(run.err.toStdString());
    CHECK(run.exit_code == 0);
    CHECK(QImage(path).size() == QSize(1280, 800));
}

TEST_CASE("kvscope without a display runs the headless demo", "[ui][app]") {
    const Run run = runApp({"--prompt", "hi", "--steps", "3"}, withoutDisplay());
    INFO(run.err.toStdString());
    CHECK(run.exit_code == 0);
    CHECK(
        run.out.startsWith("kvscope: no display found; running the headless demo instead "
                           "(kvscope-cli generate --model builtin:demo"));
    CHECK(run.out.count('\n') >= 2);  // the message, then what kvscope-cli generate printed
}

TEST_CASE("kvscope rejects a bad flag with exit code 2", "[ui][app]") {
    const Run run = runApp({"--steps", "lots"}, withoutDisplay());
    CHECK(run.exit_code == 2);
    CHECK(run.err.contains("--steps"));
    CHECK(run.out.isEmpty());
}

namespace {

/// A trace made by the real `kvscope-cli generate --trace`.
QString generatedTrace(const QTemporaryDir& dir) {
    const QString path = dir.filePath("run.json");
    QProcess cli;
    cli.start(QStringLiteral(KVSCOPE_CLI_PATH),
              {"generate", "--model", "builtin:demo", "--prompt", "KVScope KVSc",
               "--max-new-tokens", "5", "--trace", path});
    REQUIRE(cli.waitForFinished(60'000));
    REQUIRE(cli.exitCode() == 0);
    return path;
}

QProcessEnvironment offscreen() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    return env;
}

}  // namespace

TEST_CASE("kvscope TRACE.json replays a saved run, in the window and headless", "[ui][app]") {
    // Issue #16: a valid trace failed with "No model is loaded".
    QTemporaryDir dir;
    const QString trace = generatedTrace(dir);
    const QString shot = dir.filePath("replay.png");
    const Run window = runApp({"--screenshot", shot, trace}, offscreen());
    INFO(window.err.toStdString());
    CHECK(window.exit_code == 0);
    CHECK(QImage(shot).size() == QSize(1280, 800));

    const Run headless = runApp({trace}, withoutDisplay());
    INFO(headless.err.toStdString());
    CHECK(headless.exit_code == 0);
    CHECK(headless.out.startsWith("KVScope KVSc"));  // the prompt, then the generated text
    // 5 new tokens: the prefill samples the first, each of 4 decode steps one more.
    CHECK(headless.err.contains("prefill + 4 decode steps"));
}

TEST_CASE("kvscope on a missing or corrupt trace exits 2 with the reader's message", "[ui][app]") {
    // Issue #16: it printed "wrote x.png" and exited 0 with a picture of the demo model.
    QTemporaryDir dir;
    const QString missing = dir.filePath("missing.json");
    const QString corrupt = dir.filePath("corrupt.json");
    {
        QFile file(corrupt);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"schema": "kvscope.trace", "version": 2, "scenario": )");
    }
    for (const QString& bad : {missing, corrupt}) {
        INFO(bad.toStdString());
        const QString shot = dir.filePath("bad.png");
        const Run window = runApp({"--screenshot", shot, bad}, offscreen());
        CHECK(window.exit_code == 2);
        CHECK(window.err.contains(QFileInfo(bad).fileName()));
        CHECK_FALSE(QFile::exists(shot));
        CHECK_FALSE(window.out.contains("wrote"));

        const Run headless = runApp({bad}, withoutDisplay());
        CHECK(headless.exit_code == 2);
        CHECK(headless.err.contains(QFileInfo(bad).fileName()));
    }
}

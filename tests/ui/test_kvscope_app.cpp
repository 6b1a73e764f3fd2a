// The real `kvscope` binary: --screenshot, the headless fallback, and bad flags.
#include <catch2/catch.hpp>

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

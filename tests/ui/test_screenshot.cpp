#include <catch2/catch.hpp>

#include <QFileInfo>
#include <QImage>
#include <QSet>
#include <QTemporaryDir>

#include "ui/window/main_window.h"
#include "ui/window/screenshot.h"
#include "window_test_util.h"

using namespace kvscope;

TEST_CASE("a screenshot is a PNG of the size asked for", "[ui][screenshot]") {
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    MainWindow window;
    runScenario(window, "builtin:demo", "screenshot", 1);

    const QString path = dir.filePath("window.png");
    CHECK(saveScreenshot(window, QSize(1280, 800), path).isEmpty());
    CHECK(QFileInfo(path).size() > 10'000);
    QImage image;
    REQUIRE(image.load(path, "PNG"));
    CHECK(image.size() == QSize(1280, 800));
    // Not a blank frame: the heatmap alone brings dozens of colours.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4) {
        for (int x = 0; x < image.width(); x += 4)
            colours.insert(image.pixel(x, y));
    }
    CHECK(colours.size() > 50);
}

TEST_CASE("a screenshot to an unwritable place says where and writes nothing", "[ui][screenshot]") {
    QTemporaryDir dir;
    MainWindow window;
    const QString path = dir.filePath("missing/folder/window.png");
    const QString error = saveScreenshot(window, QSize(640, 400), path);
    CHECK(error.contains(path));
    CHECK_FALSE(QFileInfo::exists(path));
}

// The Catch2 main of the GUI tests: one QApplication, themed as the app is. CTest sets
// QT_QPA_PLATFORM=offscreen; a run by hand (or test discovery at build time) defaults to it too.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>

#include "ui/theme.h"

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    kvscope::applyTheme(app);
    return Catch::Session().run(argc, argv);
}

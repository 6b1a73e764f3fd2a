// The Catch2 main of the GUI tests: one QApplication made as the app makes its own
// (createApplication). CTest sets QT_QPA_PLATFORM=offscreen; a run by hand (or test discovery at
// build time) defaults to it too.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>

#include "../test_skip.h"
#include "ui/window/application.h"

int main(int argc, char** argv) {
    const auto app = kvscope::createApplication(argc, argv, kvscope::AppRole::Tests);
    // Settings go to a scratch folder: a test run neither reads nor changes the user's.
    QTemporaryDir settings;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());
    return kvscope::test::exitCodeAfter(Catch::Session().run(argc, argv));
}

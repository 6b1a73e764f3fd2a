// The Catch2 main of the GUI tests: one QApplication, themed as the app is. CTest sets
// QT_QPA_PLATFORM=offscreen; a run by hand (or test discovery at build time) defaults to it too.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>

#include "ui/style/theme.h"

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    kvscope::applyTheme(app);
    // Settings go to a scratch folder: a test run neither reads nor changes the user's.
    QTemporaryDir settings;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());
    QApplication::setOrganizationName(QStringLiteral("KVScopeTests"));
    QApplication::setApplicationName(QStringLiteral("KVScopeTests"));
    return Catch::Session().run(argc, argv);
}

// kvscope: the desktop app. Parses its flags before Qt starts so that, without a display, it can
// say so and run the same generation headlessly instead of failing to open a window.
#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QSize>
#include <QTemporaryDir>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "core/util/error.h"
#include "ui/generate_view.h"
#include "ui/launch_options.h"
#include "ui/main_window.h"
#include "ui/scenario_panel.h"
#include "ui/screenshot.h"
#include "ui/theme.h"

namespace {

constexpr QSize kScreenshotSize(1280, 800);

int runHeadless(const kvscope::LaunchOptions& options) {
    const std::vector<std::string> args = kvscope::headlessCliArgs(options);
    std::string command = "kvscope-cli";
    for (const std::string& arg : args) {
        command += ' ' + (arg.find(' ') == std::string::npos ? arg : '"' + arg + '"');
    }
    std::cout << "kvscope: no display found; running the headless demo instead (" << command
              << ")\n"
              << std::flush;
    return kvscope::runCli(args, std::cout, std::cerr);
}

/// Runs the scenario of `options` in `window` and waits for the engine. Returns "" or the error.
QString runScenario(kvscope::MainWindow& window, const kvscope::LaunchOptions& options) {
    window.loadModel(QString::fromStdString(options.model));
    if (!window.waitUntilIdle() || !window.lastError().isEmpty()) return window.lastError();
    window.setPrompt(QString::fromStdString(options.prompt));
    window.prefill();
    if (!window.waitUntilIdle() || !window.lastError().isEmpty()) return window.lastError();
    for (int i = 0; i < options.steps && window.stepAction()->isEnabled(); ++i) {
        window.step();
        if (!window.waitUntilIdle() || !window.lastError().isEmpty()) return window.lastError();
    }
    window.showHead(options.layer, options.head);
    window.generateView()->setAllHeads(options.all_heads);
    if (!window.showView(QString::fromStdString(options.view)))
        return QStringLiteral("--view: no view named '%1'")
            .arg(QString::fromStdString(options.view));
    return {};
}

int takeScreenshot(kvscope::MainWindow& window, const kvscope::LaunchOptions& options) {
    auto fail = [](const QString& message) {
        std::cerr << "kvscope: " << message.toStdString() << "\n";
        return 2;
    };
    if (const QString error = runScenario(window, options); !error.isEmpty()) return fail(error);
    const QString path = QString::fromStdString(options.screenshot);
    if (const QString error = kvscope::saveScreenshot(window, kScreenshotSize, path);
        !error.isEmpty()) {
        return fail(error);
    }
    std::cout << "kvscope: wrote " << options.screenshot << " (" << kScreenshotSize.width() << "x"
              << kScreenshotSize.height() << ")\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    kvscope::LaunchOptions options;
    try {
        options = kvscope::parseLaunchOptions(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const kvscope::InputError& e) {
        std::cerr << "kvscope: " << e.what() << "\n" << kvscope::launchUsage();
        return 2;
    }
    if (options.help) {
        std::cout << kvscope::launchUsage();
        return 0;
    }
    if (!kvscope::hasDisplay()) {
        if (options.screenshot.empty()) return runHeadless(options);
        qputenv("QT_QPA_PLATFORM", "offscreen");  // a screenshot needs no screen
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("KVScope"));
    QApplication::setApplicationName(QStringLiteral("KVScope"));
    QApplication::setDesktopFileName(QStringLiteral("kvscope"));
    kvscope::applyTheme(app);

    QTemporaryDir fresh_settings;
    if (!options.screenshot.empty()) {
        // A screenshot shows the defaults, not whatever the last session left behind.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, fresh_settings.path());
    }
    kvscope::MainWindow window;
    if (!options.screenshot.empty()) return takeScreenshot(window, options);

    if (options.model != kvscope::LaunchOptions{}.model) {
        window.loadModel(QString::fromStdString(options.model));
    }
    // A prompt given on the command line wins over the one remembered from the last run.
    if (options.prompt != kvscope::LaunchOptions{}.prompt ||
        window.scenarioPanel()->prompt().isEmpty())
        window.setPrompt(QString::fromStdString(options.prompt));
    window.showHead(options.layer, options.head);
    window.generateView()->setAllHeads(options.all_heads);
    window.showView(QString::fromStdString(options.view));
    window.show();
    return app.exec();
}

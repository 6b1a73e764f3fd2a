// kvscope: the desktop app. Parses its flags before Qt starts so that, without a display, it can
// say so and run the same generation headlessly instead of failing to open a window.
#include <QApplication>
#include <QSize>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "core/util/error.h"
#include "ui/launch_options.h"
#include "ui/main_window.h"
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

int takeScreenshot(kvscope::MainWindow& window, const kvscope::LaunchOptions& options) {
    auto fail = [](const QString& message) {
        std::cerr << "kvscope: " << message.toStdString() << "\n";
        return 2;
    };
    if (!window.loadModel(QString::fromStdString(options.model))) return fail(window.lastError());
    window.setPrompt(QString::fromStdString(options.prompt));
    if (!window.prefill()) return fail(window.lastError());
    for (int i = 0; i < options.steps && window.step(); ++i) {
    }
    window.showHead(options.layer, options.head);
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
    QApplication::setApplicationName(QStringLiteral("KVScope"));
    QApplication::setDesktopFileName(QStringLiteral("kvscope"));
    kvscope::applyTheme(app);

    kvscope::MainWindow window;
    if (!options.screenshot.empty()) return takeScreenshot(window, options);

    window.loadModel(QString::fromStdString(options.model));
    window.setPrompt(QString::fromStdString(options.prompt));
    window.showHead(options.layer, options.head);
    window.resize(kScreenshotSize);
    window.show();
    return app.exec();
}

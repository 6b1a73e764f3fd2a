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

#include "app/cli/backend_flag.h"
#include "app/cli/cli.h"
#include "app/cli/help.h"
#include "app/launch/headless_replay.h"
#include "app/launch/launch_options.h"
#include "core/engine/cpu_threads.h"
#include "core/trace/scenario_file.h"
#include "core/util/error.h"
#include "ui/engine/trace_model.h"
#include "ui/evict/evict_view.h"
#include "ui/generate/generate_view.h"
#include "ui/lessons/lesson_catalog.h"
#include "ui/lessons/lesson_player.h"
#include "ui/paging/paging_view.h"
#include "ui/quant/quant_view.h"
#include "ui/window/application.h"
#include "ui/window/main_window.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/screenshot.h"
#include "ui/window/transport.h"
#include "ui/window/view_tabs.h"

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

/// Opens the lesson of `options` and shows its step --lesson-step, waiting for all it runs.
QString runLesson(kvscope::MainWindow& window, const kvscope::LaunchOptions& options) {
    QString path;
    try {
        path = kvscope::lessonPathFor(QString::fromStdString(options.lesson));
    } catch (const kvscope::InputError& e) {
        return QString::fromStdString(e.what());
    }
    kvscope::LessonPlayer& player = *window.lessonPlayer();
    if (!window.openLesson(path)) return window.lastError();
    if (!player.waitUntilIdle()) return QStringLiteral("--lesson: the first step timed out");
    if (options.lesson_step > player.stepCount())
        return QStringLiteral("--lesson-step %1: the lesson has %2 steps")
            .arg(options.lesson_step)
            .arg(player.stepCount());
    for (int step = 1; step < options.lesson_step; ++step) {  // as a teacher would: Next, Next
        player.next();
        if (!player.waitUntilIdle())
            return QStringLiteral("--lesson: step %1 timed out").arg(step + 1);
    }
    if (!player.errorText().isEmpty()) return player.errorText();
    return window.lastError();
}

/// Runs the scenario of `options` in `window` and waits for the engine. Returns "" or the error.
QString runScenario(kvscope::MainWindow& window, const kvscope::LaunchOptions& options) {
    if (!options.lesson.empty()) return runLesson(window, options);
    if (kvscope::isTraceFileName(options.open)) {  // a saved run: replay it, compute nothing
        if (!window.openTraceFile(QString::fromStdString(options.open))) return window.lastError();
        if (!window.waitUntilIdle()) return QStringLiteral("the trace did not open in time");
        if (!window.lastError().isEmpty()) return window.lastError();
        kvscope::ViewTabs& views = *window.views();
        views.generate()->showHead(options.layer, options.head);
        views.generate()->setAllHeads(options.all_heads);
        return views.showView(QString::fromStdString(options.view))
                   ? QString()
                   : QStringLiteral("--view: no view named '%1'")
                         .arg(QString::fromStdString(options.view));
    }
    if (kvscope::isScenarioFileName(options.open)) {  // the file says what to run and show
        if (!window.openScenarioFile(QString::fromStdString(options.open)))
            return window.lastError();
        if (!window.waitUntilIdle()) return QStringLiteral("the scenario did not finish in time");
        return window.lastError();
    }
    window.loadModel(QString::fromStdString(options.open.empty() ? options.model : options.open));
    if (!window.waitUntilIdle() || !window.lastError().isEmpty()) return window.lastError();
    window.setPrompt(QString::fromStdString(options.prompt));
    window.prefill();
    if (!window.waitUntilIdle() || !window.lastError().isEmpty()) return window.lastError();
    for (int i = 0; i < options.steps && window.transport()->stepAction()->isEnabled(); ++i) {
        window.step();
        if (!window.waitUntilIdle() || !window.lastError().isEmpty()) return window.lastError();
    }
    const kvscope::ModelConfig& config = window.trace()->config();
    if (options.layer >= config.n_layers)
        return QStringLiteral("--layer %1: the model has %2 layers (0 to %3)")
            .arg(options.layer)
            .arg(config.n_layers)
            .arg(config.n_layers - 1);
    if (options.head >= config.n_heads)
        return QStringLiteral("--head %1: the model has %2 query heads (0 to %3)")
            .arg(options.head)
            .arg(config.n_heads)
            .arg(config.n_heads - 1);
    kvscope::ViewTabs& views = *window.views();
    views.generate()->showHead(options.layer, options.head);
    views.generate()->setAllHeads(options.all_heads);
    if (!views.showView(QString::fromStdString(options.view)))
        return QStringLiteral("--view: no view named '%1'")
            .arg(QString::fromStdString(options.view));
    if (options.view == "quant") {
        // The Quantization view shows a comparison: run its default one and wait for it.
        kvscope::QuantView& quant = *views.quant();
        quant.run();
        if (!quant.waitUntilIdle()) return QStringLiteral("--view quant: the comparison timed out");
        if (!quant.errorText().isEmpty()) return quant.errorText();
    }
    if (options.view == "evict") {
        // The Eviction view shows a comparison: run its default one and wait for it.
        kvscope::EvictView& evict = *views.evict();
        evict.run();
        if (!evict.waitUntilIdle()) return QStringLiteral("--view evict: the comparison timed out");
        if (!evict.errorText().isEmpty()) return evict.errorText();
    }
    if (options.view == "paging" && !views.paging()->waitUntilIdle())
        return QStringLiteral("--view paging: the simulation timed out");
    return {};
}

/// Without a window, the file given on the command line becomes the headless run's model, or its
/// scenario's model, prompt, steps and activation scheme. Throws InputError for a bad scenario
/// file.
void applyOpenFile(kvscope::LaunchOptions& options) {
    if (options.open.empty()) return;
    if (!kvscope::isScenarioFileName(options.open)) {
        options.model = options.open;
        return;
    }
    const kvscope::ScenarioFile file = kvscope::readScenarioFile(options.open);
    options.model = file.scenario.model;
    options.prompt = file.scenario.prompt;
    options.steps = int(file.steps);
    options.activations = kvscope::parseActivations(file.activations, "activations");
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
    kvscope::setRequestedThreads(options.threads);  // 0: OMP_NUM_THREADS or the default
    kvscope::cli::registerCompiledBackends();       // the window's Backend selector offers CUDA
    kvscope::setRequestedBackend(options.backend);  // cpu unless --backend asked (and can run)
    kvscope::setRequestedActivations(options.activations);  // the Activations selector shows it
    if (options.help) {
        std::cout << kvscope::launchUsage();
        return 0;
    }
    if (options.version) {
        std::cout << "kvscope " << kvscope::cli::versionString() << "\n";
        return 0;
    }
    if (!kvscope::hasDisplay()) {
        if (options.screenshot.empty()) {
            try {
                if (kvscope::isTraceFileName(options.open))
                    return kvscope::replayTraceHeadless(options.open, std::cout, std::cerr);
                applyOpenFile(options);
            } catch (const kvscope::InputError& e) {
                std::cerr << "kvscope: " << e.what() << "\n";
                return 2;
            }
            return runHeadless(options);
        }
        qputenv("QT_QPA_PLATFORM", "offscreen");  // a screenshot needs no screen
    }

    const auto app = kvscope::createApplication(argc, argv, kvscope::AppRole::Window);

    QTemporaryDir fresh_settings;
    if (!options.screenshot.empty()) {
        // A screenshot shows the defaults, not whatever the last session left behind.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, fresh_settings.path());
    }
    kvscope::MainWindow window;
    if (!options.screenshot.empty()) return takeScreenshot(window, options);

    if (kvscope::isTraceFileName(options.open)) {
        // A trace that cannot be read is bad input, as headless: say why and stop.
        if (!window.openTraceFile(QString::fromStdString(options.open))) {
            std::cerr << "kvscope: " << window.lastError().toStdString() << "\n";
            return 2;
        }
    } else if (kvscope::isScenarioFileName(options.open)) {
        if (!window.openScenarioFile(QString::fromStdString(options.open))) {
            std::cerr << "kvscope: " << window.lastError().toStdString() << "\n";
            return 2;
        }
    } else if (!options.open.empty()) {
        window.loadModel(QString::fromStdString(options.open));  // a model file
    } else if (options.model != kvscope::LaunchOptions{}.model) {
        window.loadModel(QString::fromStdString(options.model));
    }
    // A prompt given on the command line wins over the one remembered from the last run.
    if (options.prompt != kvscope::LaunchOptions{}.prompt ||
        window.scenarioPanel()->prompt().isEmpty())
        window.setPrompt(QString::fromStdString(options.prompt));
    kvscope::ViewTabs& views = *window.views();
    views.generate()->showHead(options.layer, options.head);
    views.generate()->setAllHeads(options.all_heads);
    views.showView(QString::fromStdString(options.view));
    window.show();
    if (!options.lesson.empty()) {
        try {
            window.openLesson(kvscope::lessonPathFor(QString::fromStdString(options.lesson)));
        } catch (const kvscope::InputError& e) {
            std::cerr << "kvscope: " << e.what() << "\n";
            return 2;
        }
    }
    return app->exec();
}

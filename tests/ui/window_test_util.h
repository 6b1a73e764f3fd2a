#pragma once
// Drives a MainWindow as a user would, waiting for the engine thread after each request.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QSettings>
#include <QStatusBar>
#include <QStringList>

#include "ui/lessons/lesson_catalog.h"
#include "ui/lessons/lesson_player.h"
#include "ui/style/theme.h"
#include "ui/window/main_window.h"

namespace kvscope {

/// Waits for the engine; the request must have succeeded.
inline void requireIdle(MainWindow& window) {
    REQUIRE(window.waitUntilIdle());
    INFO("error shown: " << window.lastError().toStdString());
    REQUIRE(window.lastError().isEmpty());
}

/// A window on `model` with `prompt` prefilled and `steps` decode steps taken.
inline void runScenario(MainWindow& window, const QString& model, const QString& prompt,
                        int steps) {
    window.loadModel(model);
    requireIdle(window);
    window.setPrompt(prompt);
    window.prefill();
    requireIdle(window);
    for (int i = 0; i < steps; ++i) {
        window.step();
        requireIdle(window);
    }
}

/// As installed: no dock sizes or presenter level remembered, the theme's normal font and
/// palette (earlier tests may have left presenter fonts on the application).
inline void freshInstall() {
    QSettings().clear();
    applyTheme(*qApp);
}

/// Opens built-in lesson `number` ("1".."5") in `window` and goes to its second step, where the
/// lesson's dock and its first view settings are shown; the engine is idle after.
inline void openLessonSecondStep(MainWindow& window, const char* number) {
    requireIdle(window);
    REQUIRE(window.openLesson(lessonPathFor(QString::fromLatin1(number))));
    REQUIRE(window.lessonPlayer()->waitUntilIdle());
    window.lessonPlayer()->next();
    REQUIRE(window.lessonPlayer()->waitUntilIdle());
}

/// Runs the event loop until `done()` or `timeout_ms`; returns done().
template <typename Done>
bool waitFor(Done done, int timeout_ms) {
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < timeout_ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return done();
}

/// The texts of the status bar's labels, joined: what a user reads there.
inline QString statusText(const MainWindow& window) {
    QStringList texts;
    for (const QLabel* label : window.statusBar()->findChildren<QLabel*>())
        texts << label->text();
    return texts.join(" | ");
}

}  // namespace kvscope

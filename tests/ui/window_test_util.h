#pragma once
// Drives a MainWindow as a user would, waiting for the engine thread after each request.
#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QStatusBar>
#include <QStringList>

#include "ui/main_window.h"

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

// The status bar's facts on their own, on a plain QStatusBar and a TraceModel fed by a Session:
// position, KV cache, step time and backend follow the trace and its cursor; an error shows on
// the left until cleared, and the keys reminder comes back.
#include <catch2/catch.hpp>

#include <QLabel>
#include <QStatusBar>

#include "demo_trace_util.h"
#include "ui/style/format_bytes.h"
#include "ui/window/status_facts.h"

using namespace kvscope;

TEST_CASE("the status bar shows the facts of the step on screen", "[ui][status]") {
    DemoTrace demo;
    QStatusBar bar;
    StatusFacts facts(&demo.trace, &bar);
    CHECK(facts.lastStepLabel()->text() == QString::fromUtf8("Step \u2014"));

    demo.open();
    CHECK(facts.positionLabel()->text() == "Position 0 / 512");
    CHECK(facts.kvCacheLabel()->text() == "KV 0 B");
    CHECK(facts.backendLabel()->text() == "Backend: CPU");

    demo.prefill("abc");
    const StepRecord last = demo.step();
    CHECK(facts.positionLabel()->text() == "Position 5 / 512");
    CHECK(facts.kvCacheLabel()->text() == "KV " + bytesText(last.kvBytesHeld()) +
                                              QString::fromUtf8(" of ") + bytesText(1 << 20) +
                                              " allocated");
    // By hand: the demo model (4 layers, 4 KV heads of 16 fp32 values, K and V) holds 2 KiB per
    // position: 5 positions are 10 KiB, and the contiguous layout reserves all 512: 1 MiB.
    CHECK(facts.kvCacheLabel()->text() == QString::fromUtf8("KV 10.00 KiB of 1.00 MiB allocated"));
    CHECK(facts.lastStepLabel()->text().contains("(decode)"));

    demo.trace.setCursor(1);  // the prefill on screen
    CHECK(facts.positionLabel()->text() == "Position 4 / 512 (replaying step 0 of 1)");
    CHECK(facts.lastStepLabel()->text().contains("(prefill)"));

    // The error on the left, taking the room; the facts on the right.
    const QList<QLabel*> labels = bar.findChildren<QLabel*>();
    REQUIRE(labels.size() == 5);
    CHECK(labels.front() == facts.errorLabel());
}

TEST_CASE("an error shows in the status bar until it is cleared", "[ui][status]") {
    TraceModel trace;
    QStatusBar bar;
    StatusFacts facts(&trace, &bar);
    const QString keys = facts.errorLabel()->text();
    const QString keys_tip = facts.errorLabel()->toolTip();
    CHECK(facts.lastError().isEmpty());
    // The hint in arrows (it fits beside the facts), the keys in full in its tooltip.
    CHECK(keys.contains(QString::fromUtf8("\u2192 step")));
    CHECK(keys.contains("Home reset"));
    CHECK(keys_tip.contains("Right arrow steps"));

    facts.showError("the model file is not a model");
    CHECK(facts.lastError() == "the model file is not a model");
    CHECK(facts.errorLabel()->text() == facts.lastError());
    CHECK(facts.errorLabel()->toolTip() == facts.lastError());
    CHECK(facts.errorLabel()->styleSheet().contains("#d03b30"));

    facts.clearError();
    CHECK(facts.lastError().isEmpty());
    CHECK(facts.errorLabel()->text() == keys);
    CHECK(facts.errorLabel()->toolTip() == keys_tip);
    CHECK(facts.errorLabel()->styleSheet().isEmpty());
}

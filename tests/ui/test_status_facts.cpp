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
    CHECK(facts.lastError().isEmpty());
    CHECK(keys.contains(QStringLiteral("\u2192 step")));
    CHECK(keys.contains("Home reset"));
    const QString keys_tip = facts.errorLabel()->toolTip();
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

// A real session on the paged layout (blocks of 4) under a window of 6: the positions before the
// window that share a block with held ones are holes, and the status bar counts them.
TEST_CASE("the status bar counts the paged layout's holes", "[ui][status][holes]") {
    const auto model = loadModel("builtin:demo");
    EvictionSpec window;
    window.policy = EvictionPolicy::Window;
    window.budget = 6;
    const SessionOptions options{
        .cache_layout = CacheLayout::Paged, .block_size = 4, .eviction = window};
    Session session(model, options);
    TraceModel trace;
    trace.setModel("builtin:demo", traceModelInfo(*model), options, "CPU");
    QStatusBar bar;
    StatusFacts facts(&trace, &bar);
    const auto record = [&](const StepRecord& step) {
        trace.append({step, traceTokens(*model->tokenizer, tokenIdsOf({&step, 1})), std::nullopt});
    };
    std::vector<TokenId> prompt{model->tokenizer->bos()};
    for (TokenId id : model->tokenizer->encode("abc"))
        prompt.push_back(id);
    record(session.prefill(prompt));  // 4 positions, all held: one full block, no hole
    CHECK(facts.kvCacheLabel()->text() == QString::fromUtf8("KV 8.00 KiB of 8.00 KiB allocated"));
    for (int i = 0; i < 7; ++i)
        record(session.step());
    // By hand: 11 positions seen, the window holds 5..10 (6 x 2 KiB = 12 KiB). Block 0 (0..3)
    // holds none: freed. Block 1 (4..7) holds 5..7, so position 4 is a hole in each of the 4
    // layers; block 2 (8..11) is the tail. 2 blocks x 4 positions x 2 KiB = 16 KiB allocated.
    CHECK(facts.kvCacheLabel()->text() ==
          QString::fromUtf8("KV 12.00 KiB of 16.00 KiB allocated (4 holes)"));
    CHECK(facts.kvCacheLabel()->toolTip().contains("hole"));
    record(session.step());
    // 12 seen, held 6..11: positions 4 and 5 are holes in block 1: 8 over the layers.
    CHECK(facts.kvCacheLabel()->text() ==
          QString::fromUtf8("KV 12.00 KiB of 16.00 KiB allocated (8 holes)"));
}

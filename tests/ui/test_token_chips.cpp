#include <catch2/catch.hpp>

#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/trace/make_trace.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/token_chips.h"

using namespace kvscope;

TEST_CASE("token chips follow the trace: prompt, generated, pending, with tooltips",
          "[ui][tokens]") {
    std::shared_ptr<const Model> model = loadModel("builtin:demo");
    Session session(model, SessionOptions{});
    TraceModel trace;
    trace.setModel("builtin:demo", traceModelInfo(*model), SessionOptions{}, "CPU");
    CHECK(tokenChips(trace).empty());

    const Tokenizer& tokenizer = *model->tokenizer;
    std::vector<TokenId> prompt{tokenizer.bos()};
    for (TokenId id : tokenizer.encode("a b"))
        prompt.push_back(id);
    auto record = [&](const StepRecord& step) {
        trace.append({step, traceTokens(tokenizer, tokenIdsOf({&step, 1})), std::nullopt});
    };
    record(session.prefill(prompt));
    record(session.step());

    const std::vector<TokenChip> chips = tokenChips(trace);
    REQUIRE(chips.size() == 6);  // <s> a ▁ b, one generated, one pending
    CHECK(chips[0].role == TokenRole::Special);
    CHECK(chips[0].label == "<s>");
    CHECK(chips[1].role == TokenRole::Prompt);
    CHECK(chips[1].label == "a");
    CHECK(chips[2].label == QString::fromUtf8("\u2581"));
    CHECK(chips[3].role == TokenRole::Prompt);
    CHECK(chips[4].role == TokenRole::Generated);
    CHECK(chips[4].position == 4);
    CHECK(chips[4].current);
    CHECK_FALSE(chips[3].current);
    CHECK(chips[4].label == QString::fromStdString(tokenizer.label(session.tokens()[4])));
    // Its tooltip: the id, the probability it was sampled with and the alternatives.
    const StepRecord& chooser = session.records()[0];
    CHECK(chips[4].tooltip.contains(QString("id %1").arg(session.tokens()[4])));
    CHECK(chips[4].tooltip.contains(QString::number(double(chooser.next_prob), 'f', 3)));
    CHECK(chips[4].tooltip.contains("top 5"));
    CHECK(chips[5].role == TokenRole::Pending);
    CHECK(chips[5].label == QString::fromStdString(tokenizer.label(session.pendingToken())));

    trace.setCursor(1);  // back to the prefill: its chips only, its pending token
    const std::vector<TokenChip> earlier = tokenChips(trace);
    REQUIRE(earlier.size() == 5);
    CHECK(earlier[4].label == QString::fromStdString(tokenizer.label(chooser.next_token)));
}

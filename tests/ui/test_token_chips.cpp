#include <catch2/catch.hpp>

#include "core/model/model_source.h"
#include "ui/token_chips.h"

using namespace kvscope;

TEST_CASE("token chips follow the session: prompt, generated, pending", "[ui][tokens]") {
    std::shared_ptr<const Model> model = loadModel("builtin:demo");
    Session session(model, SessionOptions{});
    CHECK(tokenChips(session).empty());

    const Tokenizer& tokenizer = *model->tokenizer;
    std::vector<TokenId> prompt{tokenizer.bos()};
    for (TokenId id : tokenizer.encode("a b"))
        prompt.push_back(id);
    session.prefill(prompt);
    session.step();

    const std::vector<TokenChip> chips = tokenChips(session);
    REQUIRE(chips.size() == 6);  // <s> a ▁ b, one generated, one pending
    CHECK(chips[0].role == TokenRole::Special);
    CHECK(chips[0].label == "<s>");
    CHECK(chips[1].role == TokenRole::Prompt);
    CHECK(chips[1].label == "a");
    CHECK(chips[2].label == QString::fromUtf8("\u2581"));
    CHECK(chips[3].role == TokenRole::Prompt);
    CHECK(chips[4].role == TokenRole::Generated);
    CHECK(chips[4].label == QString::fromStdString(tokenizer.label(session.tokens()[4])));
    CHECK(chips[5].role == TokenRole::Pending);
    CHECK(chips[5].label == QString::fromStdString(tokenizer.label(session.pendingToken())));
}

#pragma once
// The real model's known-good output (../shared/models/README.md): llama2.c's own regression test
// for stories260K, and the greedy run that reproduces it.
#include <memory>
#include <vector>

#include "core/engine/session.h"
#include "core/model/detokenize.h"

namespace kvscope::test {

/// `run stories260K.bin -z tok512.bin -t 0.0 -n 200` prints exactly this (then a newline).
inline const char* const kKnownGoodGreedy =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
    "One day, she saw a big, red ball. She wanted to play with it, but it was too high.\n"
    "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. "
    "She said, \"I want to play with your ball, but I can't find it.\"\n"
    "Lily was sad and didn't know what to do. She said, \"I'm sorry, Lily. I didn't know what to "
    "do.\"\n"
    "Lily didn't want to help her mom, so she";

/// Greedy tokens as llama2.c runs them: `passes` forward passes at positions 0.., the first fed
/// BOS, each emitting one token; BOS ends the text (and is not included).
inline std::vector<TokenId> greedyTokens(std::shared_ptr<const Model> model, int passes = 200) {
    SessionOptions options;
    options.record_attention = false;
    options.record_top_k = 1;
    Session session(model, options);
    const TokenId bos = model->tokenizer->bos();
    std::vector<TokenId> generated;
    TokenId next = session.prefill(std::vector<TokenId>{bos}).next_token;
    for (int pass = 1; pass <= passes && next != bos; ++pass) {
        generated.push_back(next);
        if (pass < passes) next = session.step().next_token;
    }
    return generated;
}

/// The text llama2.c prints for greedyTokens().
inline std::string greedyText(std::shared_ptr<const Model> model) {
    return detokenize(*model->tokenizer, greedyTokens(model), model->tokenizer->bos());
}

}  // namespace kvscope::test

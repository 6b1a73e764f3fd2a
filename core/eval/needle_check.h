#pragma once
// A retrieval check on the built-in demo model's induction head (docs/demo-model.md): a needle
// "zqj" early in a long prompt of filler that holds none of its bytes, and the prompt ending in
// "z" (the question inside the prompt, as SnapKV assumes). The prompt goes in one pass and the
// cache is cut to its budget; then "q" is fed as a decode step over the bounded cache, and the
// check is whether the model continues with "j": the induction head (layer 1 head 0) must still
// hold the position after the earlier "q". The full cache continues with "j".
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/cache/eviction_policy.h"
#include "core/model/model.h"

namespace kvscope {

struct NeedleResult {
    EvictionSpec spec;
    bool retrieved = false;      // greedy next token after "...zq" == "j"
    double needle_prob = 0;      // its probability
    bool position_held = false;  // layer 1 still held the "j" of the needle at that step
};

struct NeedlePrompt {
    std::vector<TokenId> tokens;  // BOS, filler, "zqj", filler, "z"
    std::int64_t needle_pos = 0;  // position of the "j"
    TokenId question = 0;         // "q", fed after the prompt
    TokenId needle = 0;           // "j"
};

/// BOS + 8 bytes of filler + "zqj" + filler up to `length` tokens in all, ending in "z".
/// Pre: length >= 16, the model's tokenizer has byte tokens (the demo model).
NeedlePrompt needlePrompt(const Model& model, std::int64_t length);

/// The full cache first (spec full), then each spec.
std::vector<NeedleResult> runNeedleCheck(std::shared_ptr<const Model> model,
                                         std::span<const EvictionSpec> specs, std::int64_t length);

}  // namespace kvscope

#pragma once
// The generation loop shared by `generate` and `attention`: BOS + prompt, prefill, then one
// step per new token until max_new_tokens or the model emits BOS, EOS or an end-of-turn token.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/session.h"
#include "core/engine/step_record.h"
#include "core/model/model.h"
#include "core/model/prompt_tokens.h"

namespace kvscope::cli {

enum class StopReason { MaxNewTokens, Eos, Bos };
std::string_view toString(StopReason reason);

struct GenerationRequest {
    std::string prompt;               // as fed: already wrapped in the chat format under --chat
    std::int64_t max_new_tokens = 0;  // >= 0
    SessionOptions options;
    /// Also feed the last generated token (one more step whose sample is dropped), so that every
    /// generated token has K/V and attention rows: what `attention` needs.
    bool feed_last_token = false;
};

struct Generation {
    std::vector<TokenId> prompt_tokens;  // BOS first
    std::vector<TokenId> generated;      // without the stopping BOS/EOS
    std::vector<StepRecord> records;     // prefill, then one per step
    StopReason stop = StopReason::MaxNewTokens;
    std::string backend;  // Backend::name()
    /// The RoPE scaling the session ran with, in words (ModelConfig::ropeScalingText at its
    /// context: which LongRoPE factor set); "" when the model has none.
    std::string rope_scaling;

    /// The generated text as llama2.c prints it (see detokenize()).
    std::string text(const Tokenizer& tokenizer) const;
};

/// Loads the model named by `--model`; an unknown reference is an InputError naming the flag.
std::shared_ptr<const Model> loadModelFlag(std::string_view reference);

/// Throws InputError when n_prompt + max_new_tokens positions do not fit `max_context`; the
/// message names `steps_flag`, the flag that asked for the new tokens.
void checkContextFits(const Model& model, std::int64_t n_prompt, std::int64_t max_new_tokens,
                      std::int64_t max_context, std::string_view steps_flag = "--max-new-tokens");

/// Runs the request. Throws InputError when the prompt and the new tokens exceed the context.
Generation generate(std::shared_ptr<const Model> model, const GenerationRequest& request);

}  // namespace kvscope::cli

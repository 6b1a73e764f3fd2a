#include "app/cli/generation.h"

#include <string>

#include "core/model/detokenize.h"
#include "core/model/model_source.h"
#include "core/util/error.h"

namespace kvscope::cli {

std::string_view toString(StopReason reason) {
    switch (reason) {
        case StopReason::MaxNewTokens:
            return "max_new_tokens";
        case StopReason::Eos:
            return "eos";
        case StopReason::Bos:
            return "bos";
    }
    return "?";
}

std::string Generation::text(const Tokenizer& tokenizer) const {
    return detokenize(tokenizer, generated, prompt_tokens.back());
}

std::shared_ptr<const Model> loadModelFlag(std::string_view reference) {
    try {
        return loadModel(reference);
    } catch (const InputError& e) {
        throw InputError(std::string("--model: ") + e.what());
    }
}

void checkContextFits(const Model& model, std::int64_t n_prompt, std::int64_t max_new_tokens,
                      std::int64_t max_context, std::string_view steps_flag) {
    // Compared without adding, so that a huge --max-new-tokens cannot overflow.
    if (n_prompt <= max_context && max_new_tokens <= max_context - n_prompt) return;
    const std::string flag(steps_flag);
    throw InputError("context too long: the prompt is " + std::to_string(n_prompt) +
                     (n_prompt == 1 ? " token" : " tokens") + " (BOS included) and " + flag +
                     " asks for " + std::to_string(max_new_tokens) + " more, but " +
                     model.config.name + " holds at most " + std::to_string(max_context) +
                     " tokens (shorten the prompt or lower " + flag + ")");
}

Generation generate(std::shared_ptr<const Model> model, const GenerationRequest& request) {
    Generation result;
    result.prompt_tokens = promptTokens(*model, request.prompt);
    const Tokenizer& tokenizer = *model->tokenizer;
    const std::int64_t max_context =
        request.options.max_context > 0 ? request.options.max_context : model->config.max_context;
    checkContextFits(*model, std::int64_t(result.prompt_tokens.size()), request.max_new_tokens,
                     max_context);
    Session session(model, request.options);
    result.backend = session.backend().name();
    result.rope_scaling = model->config.ropeScalingText(session.maxContext());

    // Each record's next_token is one new token: N tokens = prefill + (N - 1) steps.
    const StepRecord* record = &session.prefill(result.prompt_tokens);
    while (std::int64_t(result.generated.size()) < request.max_new_tokens) {
        const TokenId token = record->next_token;
        // EOS, a chat turn's end ("<|eot_id|>", "<|im_end|>"), or BOS.
        if (tokenizer.isEndOfGeneration(token) || token == tokenizer.bos()) {
            result.stop = tokenizer.isEndOfGeneration(token) ? StopReason::Eos : StopReason::Bos;
            break;
        }
        result.generated.push_back(token);
        const bool last = std::int64_t(result.generated.size()) == request.max_new_tokens;
        if (last && !request.feed_last_token) break;
        record = &session.step();
    }
    result.records = session.records();
    return result;
}

}  // namespace kvscope::cli

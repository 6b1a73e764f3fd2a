#include "core/eval/needle_check.h"

#include <algorithm>
#include <cmath>

#include "core/engine/cache_evictor.h"
#include "core/engine/session.h"
#include "core/eval/logit_metrics.h"
#include "core/model/prompt_tokens.h"
#include "core/util/check.h"

namespace kvscope {

NeedlePrompt needlePrompt(const Model& model, std::int64_t length) {
    KVSCOPE_EXPECTS(length >= 16);
    static const std::string kFiller = "the cat sat on the mat and the dog ran in the sun. ";
    std::string text = kFiller.substr(0, 8) + "zqj";
    std::size_t i = 8;
    // BOS + text + final "z": length tokens.
    while (std::int64_t(text.size()) + 2 < length)
        text += kFiller[i++ % kFiller.size()];
    text += "z";
    NeedlePrompt p;
    p.tokens = promptTokens(model, text);
    KVSCOPE_EXPECTS(std::int64_t(p.tokens.size()) == length);
    p.needle_pos = 1 + 10;  // BOS, 8 filler bytes, "z", "q", then "j"
    p.question = p.tokens[std::size_t(p.needle_pos - 1)];
    p.needle = p.tokens[std::size_t(p.needle_pos)];
    return p;
}

std::vector<NeedleResult> runNeedleCheck(std::shared_ptr<const Model> model,
                                         std::span<const EvictionSpec> specs, std::int64_t length) {
    const NeedlePrompt prompt = needlePrompt(*model, length);
    std::vector<EvictionSpec> all = {EvictionSpec{}};
    all.insert(all.end(), specs.begin(), specs.end());
    std::vector<NeedleResult> out;
    for (const EvictionSpec& spec : all) {
        checkEvictionSpec(spec, model->config.max_context);
        Session s(model, SessionOptions{.eviction = spec,
                                        .eviction_undo = false,
                                        .record_attention = false,
                                        .record_top_k = 0});
        s.prefill(prompt.tokens);
        NeedleResult r;
        s.stepForced(prompt.question);
        r.spec = spec;
        r.retrieved = argmax(s.lastLogits()) == prompt.needle;
        r.needle_prob = std::exp(logSoftmax(s.lastLogits())[std::size_t(prompt.needle)]);
        if (s.evictor()) {
            // The step's cut came before its attention: what layer 1 holds now, it held then.
            const auto& held = s.evictor()->positions(1);
            r.position_held = std::binary_search(held.begin(), held.end(), prompt.needle_pos);
        } else {
            r.position_held = true;
        }
        out.push_back(r);
    }
    return out;
}

}  // namespace kvscope

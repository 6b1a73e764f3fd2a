#include "core/trace/make_trace.h"

#include <utility>

#include "core/engine/activation_scheme.h"

namespace kvscope {

TraceModelInfo traceModelInfo(const Model& model) {
    TraceModelInfo info;
    info.config = model.config;
    info.bos = model.tokenizer->bos();
    info.eos = model.tokenizer->eos();
    info.activation_scheme_applies = activationSchemeApplies(model.config, model.weights);
    info.rope_freqs = model.weights.rope_freqs.size() > 0;
    return info;
}

std::set<TokenId> tokenIdsOf(std::span<const StepRecord> records) {
    std::set<TokenId> ids;
    for (const StepRecord& record : records) {
        ids.insert(record.tokens.begin(), record.tokens.end());
        ids.insert(record.next_token);
        for (const TokenProb& candidate : record.top_k)
            ids.insert(candidate.id);
    }
    return ids;
}

std::map<TokenId, TraceToken> traceTokens(const Tokenizer& tokenizer,
                                          const std::set<TokenId>& ids) {
    std::map<TokenId, TraceToken> tokens;
    for (TokenId id : ids)
        tokens[id] = TraceToken{tokenizer.label(id), tokenizer.decode(id), tokenizer.isSpecial(id)};
    return tokens;
}

Trace makeTrace(const Model& model, Scenario scenario, std::vector<StepRecord> records,
                std::string backend) {
    Trace trace;
    trace.scenario = std::move(scenario);
    trace.model_info = traceModelInfo(model);
    trace.records = std::move(records);
    trace.tokens = traceTokens(*model.tokenizer, tokenIdsOf(trace.records));
    trace.backend = std::move(backend);
    return trace;
}

}  // namespace kvscope

#pragma once
// A TraceModel fed straight from a Session on the demo model, on this thread: for testing what
// renders a trace without a SessionRunner or a window.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/trace/make_trace.h"
#include "ui/engine/trace_model.h"

namespace kvscope {

struct DemoTrace {
    std::shared_ptr<const Model> model = loadModel("builtin:demo");
    Session session{model, SessionOptions{}};
    TraceModel trace;

    /// Gives `trace` the model; no records yet.
    void open() { trace.setModel("builtin:demo", traceModelInfo(*model), SessionOptions{}, "CPU"); }
    /// BOS and the bytes of `prompt` in one pass.
    const StepRecord& prefill(const std::string& prompt) {
        std::vector<TokenId> tokens{model->tokenizer->bos()};
        for (TokenId id : model->tokenizer->encode(prompt))
            tokens.push_back(id);
        return record(session.prefill(tokens));
    }
    const StepRecord& step() { return record(session.step()); }

private:
    const StepRecord& record(const StepRecord& step) {
        trace.append({step, traceTokens(*model->tokenizer, tokenIdsOf({&step, 1})), std::nullopt});
        return trace.trace().records.back();
    }
};

}  // namespace kvscope

#pragma once
// Traces of real runs for the trace tests: a prompt prefilled, then some decode steps.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/trace/make_trace.h"
#include "core/trace/scenario_options.h"
#include "test_util.h"

namespace kvscope::test {

/// Runs `model_ref` on `prompt` (BOS + prompt prefilled, then `n_steps` steps) recording
/// attention, and returns the trace.
inline Trace recordTrace(std::string_view model_ref, std::string_view prompt, int n_steps,
                         SessionOptions options = {}) {
    const auto model = loadModel(model_ref);
    options.record_attention = true;
    Session session(model, options);
    session.prefill(promptTokens(*model, prompt));
    for (int i = 0; i < n_steps; ++i)
        session.step();
    Scenario scenario;
    scenario.model = std::string(model_ref);
    scenario.prompt = std::string(prompt);
    scenario.max_new_tokens = n_steps + 1;
    setSessionOptions(scenario, options);
    return makeTrace(*model, scenario, session.records(), session.backend().name());
}

/// The demo model, a prefill and 10 steps.
inline const Trace& demoTrace() {
    static const Trace trace = recordTrace("builtin:demo", "The cache grows", 10);
    return trace;
}

inline std::string readWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace kvscope::test

#pragma once
// A scenario and every step recorded while running it. The GUI renders a Trace plus a cursor.
#include <string>
#include <vector>

#include "core/engine/sampler.h"
#include "core/trace/step_record.h"

namespace kvscope {

struct Scenario {
    std::string model = "builtin:demo";
    std::string prompt;
    std::int64_t max_new_tokens = 32;
    SamplingParams sampling;
    CacheMode mode = CacheMode::Cached;
};

struct Trace {
    Scenario scenario;
    std::vector<StepRecord> records;
};

}  // namespace kvscope

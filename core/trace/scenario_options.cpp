#include "core/trace/scenario_options.h"

namespace kvscope {

SessionOptions sessionOptionsOf(const Scenario& scenario) {
    SessionOptions options;
    options.mode = scenario.mode;
    options.cache_layout = scenario.cache_layout;
    options.block_size = scenario.block_size;
    options.cache_spec = scenario.cache_spec;
    options.sampling = scenario.sampling;
    options.max_context = scenario.max_context;
    options.eviction = scenario.eviction;
    return options;
}

void setSessionOptions(Scenario& scenario, const SessionOptions& options) {
    scenario.sampling = options.sampling;
    scenario.mode = options.mode;
    scenario.cache_layout = options.cache_layout;
    scenario.block_size = options.block_size;
    scenario.cache_spec = options.cache_spec;
    scenario.max_context = options.max_context;
    scenario.eviction = options.eviction;
}

}  // namespace kvscope

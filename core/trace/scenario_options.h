#pragma once
// A Scenario's run settings and the SessionOptions they stand for: sampling, cache mode, layout,
// block size, codecs, the context limit and the bounded cache's eviction spec, copied one way or
// the other (a budget in bytes stays the scenario's: the session holds its tokens).
#include "core/engine/session.h"
#include "core/trace/trace.h"

namespace kvscope {

/// The session settings of `scenario` (the options a Session opens with); other options keep
/// their defaults.
SessionOptions sessionOptionsOf(const Scenario& scenario);
/// Copies the session settings of `options` into `scenario` (model, prompt and max_new_tokens
/// are left as they are).
void setSessionOptions(Scenario& scenario, const SessionOptions& options);

}  // namespace kvscope

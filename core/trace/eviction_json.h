#pragma once
// The bounded cache's settings as the scenario file ("cache.eviction") and the trace
// ("scenario.eviction") spell them: one list of members for both writers, one reader.
//
//   {"policy": "streaming", "budget": 64, "budget_bytes": 0, "sinks": 4, "window": 0,
//    "pool": 7, "positions": "original", "shape": "uniform", "per_head": false}
//
// Written only when the scenario is bounded or differs from the defaults, so files without a
// bounded cache keep the bytes they had; an absent object reads as the full cache, and an absent
// member as its default (files written before "per_head" read as layer-wise).
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/trace/trace.h"

namespace kvscope {

class JsonValue;

/// A member's value: a name, a whole number or a flag.
using EvictionJsonValue = std::variant<std::string, std::int64_t, bool>;

/// True when `scenario` needs an "eviction" object (not the default full cache).
bool hasEvictionSettings(const Scenario& scenario);
/// The members, in the order written.
std::vector<std::pair<std::string, EvictionJsonValue>> evictionMembers(const Scenario& scenario);
/// Reads an "eviction" object into scenario.eviction and scenario.eviction_budget_bytes. Throws
/// InputError at the member's JSON path for an unknown key, a value of the wrong type or out of
/// range, an unknown policy / positions / shape, or settings the policy cannot run with (no
/// budget on a bounded policy, a budget not above the sinks, a window not below the budget).
void readEvictionObject(const JsonValue& value, Scenario& scenario);

}  // namespace kvscope

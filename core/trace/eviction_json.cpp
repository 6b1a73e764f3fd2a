#include "core/trace/eviction_json.h"

#include <limits>

#include "core/util/error.h"
#include "core/util/json_value.h"

namespace kvscope {

namespace {

/// Large enough for any budget the reader accepts; the session checks the real context.
constexpr std::int64_t kMaxCount = std::int64_t(1) << 40;

std::int64_t readCount(const JsonValue& value, std::int64_t min) {
    const std::int64_t number = value.asInt64();
    if (number < min || number > kMaxCount)
        value.fail("expected a whole number in [" + std::to_string(min) + ", " +
                   std::to_string(kMaxCount) + "], got " + std::to_string(number));
    return number;
}

}  // namespace

bool hasEvictionSettings(const Scenario& scenario) {
    return scenario.eviction != EvictionSpec{} || scenario.eviction_budget_bytes != 0;
}

std::vector<std::pair<std::string, EvictionJsonValue>> evictionMembers(const Scenario& scenario) {
    const EvictionSpec& e = scenario.eviction;
    return {{"policy", std::string(toString(e.policy))},
            {"budget", e.budget},
            {"budget_bytes", scenario.eviction_budget_bytes},
            {"sinks", e.sinks},
            {"window", e.window},
            {"pool", e.pool},
            {"positions", std::string(toString(e.positions))},
            {"shape", std::string(toString(e.shape))},
            {"per_head", e.per_head}};
}

void readEvictionObject(const JsonValue& value, Scenario& scenario) {
    checkKnownKeys(value, {"policy", "budget", "budget_bytes", "sinks", "window", "pool",
                           "positions", "shape", "per_head"});
    EvictionSpec spec;
    if (const JsonValue* policy = value.find("policy"))
        spec.policy =
            rethrowAt(*policy, [&] { return parseEvictionPolicy(policy->asString(), "policy"); });
    if (const JsonValue* budget = value.find("budget")) spec.budget = readCount(*budget, 0);
    std::int64_t budget_bytes = 0;
    if (const JsonValue* bytes = value.find("budget_bytes")) budget_bytes = readCount(*bytes, 0);
    if (const JsonValue* sinks = value.find("sinks")) spec.sinks = readCount(*sinks, 0);
    if (const JsonValue* window = value.find("window")) spec.window = readCount(*window, 0);
    if (const JsonValue* pool = value.find("pool")) spec.pool = readCount(*pool, 1);
    if (const JsonValue* positions = value.find("positions"))
        spec.positions = rethrowAt(
            *positions, [&] { return parseEvictionPositions(positions->asString(), "positions"); });
    if (const JsonValue* shape = value.find("shape"))
        spec.shape =
            rethrowAt(*shape, [&] { return parseBudgetShape(shape->asString(), "shape"); });
    if (const JsonValue* per_head = value.find("per_head")) spec.per_head = per_head->asBool();
    if (spec.bounded() && spec.budget < 1)
        value.fail("a bounded cache (policy " + std::string(toString(spec.policy)) +
                   ") needs \"budget\" >= 1 (in tokens; with \"budget_bytes\" the tokens they "
                   "bought)");
    // The policy's own rules (sinks below the budget, the window below it, an odd pool); the
    // context is the session's to check.
    rethrowAt(value, [&] { checkEvictionSpec(spec, std::numeric_limits<std::int64_t>::max()); });
    scenario.eviction = spec;
    scenario.eviction_budget_bytes = budget_bytes;
}

}  // namespace kvscope

#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>

#include "core/trace/chrome_trace.h"
#include "core/util/json_value.h"
#include "trace_test_util.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

JsonValue chromeJson(const Trace& trace) {
    std::ostringstream out;
    writeChromeTrace(trace, out);
    return parseJson(out.str(), "trace.chrome.json");
}

/// A microsecond timestamp back in integral nanoseconds.
std::int64_t nanos(const JsonValue& micros) {
    const double ns = micros.asDouble() * 1000.0;
    CHECK(std::abs(ns - std::round(ns)) < 1e-3);
    return std::llround(ns);
}

}  // namespace

TEST_CASE("The Chrome trace is trace-event JSON with a span per step and per layer",
          "[chrome_trace]") {
    const Trace& trace = demoTrace();
    const JsonValue root = chromeJson(trace);
    CHECK(root.at("displayTimeUnit").asString() == "ms");
    const auto& events = root.at("traceEvents").items();
    const std::int64_t n_layers = trace.model_info.config.n_layers;

    std::int64_t n_steps = 0, n_layer_spans = 0, n_logits = 0, n_counters = 0, n_metadata = 0;
    std::int64_t step_start = -1, step_end = -1, previous_end = 0, layers_end = -1;
    std::int64_t last_held = -1;
    for (const JsonValue& event : events) {
        const std::string& ph = event.at("ph").asString();
        CHECK_FALSE(event.at("name").asString().empty());
        CHECK(event.at("pid").asInt64() == 1);
        CHECK(event.at("tid").asInt64() == 1);
        if (ph == "M") {
            ++n_metadata;
            CHECK(event.at("args").at("name").isString());
            continue;
        }
        const std::int64_t ts = nanos(event.at("ts"));
        CHECK(ts >= 0);
        if (ph == "C") {
            ++n_counters;
            for (const JsonMember& arg : event.at("args").members())
                CHECK(arg.value.asInt64() >= 0);
            if (event.at("name").asString() == "KV bytes")
                last_held = event.at("args").at("held").asInt64();
            continue;
        }
        REQUIRE(ph == "X");
        const std::int64_t dur = nanos(event.at("dur"));
        CHECK(dur >= 0);
        const std::string& category = event.at("cat").asString();
        if (category == "step") {
            // Steps follow one another; the previous step's parts tiled it exactly.
            CHECK(ts == previous_end);
            if (n_steps > 0) CHECK(layers_end == step_end);
            const StepRecord& record = trace.records[std::size_t(n_steps)];
            CHECK(event.at("args").at("step").asInt64() == n_steps);
            CHECK(dur == std::llround(record.wall_ms * 1e6));
            step_start = ts;
            step_end = previous_end = ts + dur;
            layers_end = ts;
            ++n_steps;
        } else {
            // Layer and logits spans tile their step in order.
            CHECK(ts == layers_end);
            CHECK(ts + dur <= step_end);
            CHECK(ts >= step_start);
            layers_end = ts + dur;
            if (category == "layer") {
                ++n_layer_spans;
                CHECK_THAT(event.at("args").at("timing").asString(), Catch::Contains("estimated"));
                CHECK(event.at("args").at("k_bytes").asInt64() > 0);
            } else {
                CHECK(category == "logits");
                ++n_logits;
            }
        }
    }
    CHECK(layers_end == step_end);
    CHECK(n_metadata == 2);
    CHECK(n_steps == std::int64_t(trace.records.size()));
    CHECK(n_layer_spans == n_steps * n_layers);
    CHECK(n_logits == n_steps);
    CHECK(n_counters == 2 * (n_steps + 1));
    CHECK(last_held == trace.records.back().kvBytesHeld());
}

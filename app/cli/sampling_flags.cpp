#include "app/cli/sampling_flags.h"

#include <string>

#include "core/util/error.h"

namespace kvscope::cli {

SamplingParams parseSamplingFlags(const ParsedArgs& args) {
    SamplingParams params;
    if (const auto text = args.optionalValue("temperature")) {
        params.temperature = parseNonNegativeFloat("temperature", *text);
    }
    if (const auto text = args.optionalValue("top-k")) {
        params.top_k = parseNonNegativeInt("top-k", *text);
    }
    if (const auto text = args.optionalValue("top-p")) {
        params.top_p = parseProbability("top-p", *text);
    }
    if (const auto text = args.optionalValue("seed")) params.seed = parseUnsigned64("seed", *text);
    params.validate();  // the engine's own rules; the flag checks above already cover them
    return params;
}

CacheMode parseModeFlag(const ParsedArgs& args) {
    const auto text = args.optionalValue("mode");
    if (!text) return CacheMode::Cached;
    try {
        return parseCacheMode(*text);
    } catch (const InputError&) {
        throw InputError(std::string("--mode: expected cached or recompute, got '") + *text + "'");
    }
}

void writeSamplingJson(JsonWriter& json, const SamplingParams& params) {
    json.beginObject();
    json.field("greedy", params.temperature == 0.0f);
    json.field("temperature", params.temperature);
    json.field("top_k", params.top_k);
    json.field("top_p", params.top_p);
    json.field("seed", params.seed);
    json.endObject();
}

}  // namespace kvscope::cli

#pragma once
// The flags shared by commands that sample: --temperature --top-k --top-p --seed --mode.
#include "app/cli/cli_args.h"
#include "core/engine/sampler.h"
#include "core/engine/step_record.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

/// SamplingParams from --temperature, --top-k, --top-p, --seed (defaults: greedy, seed 42).
SamplingParams parseSamplingFlags(const ParsedArgs& args);
/// CacheMode from --mode (default cached).
CacheMode parseModeFlag(const ParsedArgs& args);
/// {"temperature":..,"top_k":..,"top_p":..,"seed":..,"greedy":..}
void writeSamplingJson(JsonWriter& json, const SamplingParams& params);

}  // namespace kvscope::cli

#pragma once
// How `kvscope-cli memory` prints a MemoryReport: a table with IEC units and the formula lines,
// or one JSON object with exact byte integers.
#include <optional>
#include <ostream>
#include <string>

#include "core/memory/memory_estimator.h"
#include "core/memory/serving_engine.h"

namespace kvscope::cli {

/// What was estimated, for the headers.
struct MemoryQuery {
    ModelShape shape;
    CacheSpec cache;
    Workload workload;
    GpuSpec gpu;
};

/// `serving`: the serving-engine section (with a GPU), printed after the fit.
void writeMemoryText(const MemoryQuery& query, const MemoryReport& report,
                     const std::optional<ServingReport>& serving, std::ostream& out);
void writeMemoryJson(const MemoryQuery& query, const MemoryReport& report,
                     const std::optional<ServingReport>& serving, std::ostream& out);
/// `memory --list-presets`: the model presets and the GPU table.
void writePresetList(std::ostream& out, bool json);

}  // namespace kvscope::cli

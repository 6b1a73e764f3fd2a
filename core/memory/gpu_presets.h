#pragma once
// GPU memory presets (resources/gpus.json, embedded): each stated in the vendor's own unit (GB =
// 10^9 bytes or GiB = 2^30 bytes) and converted to bytes explicitly; the file's "bytes" must
// equal memory x unit.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/json_value.h"

namespace kvscope {

/// The share of GPU memory the estimator lets weights and KV cache use (vLLM's default
/// gpu_memory_utilization is 0.9): the rest is for activations, the CUDA context and fragments.
inline constexpr double kDefaultUsableFraction = 0.9;

struct GpuPreset {
    std::string name;         // "H100-80GB"
    std::string vendor_text;  // as the vendor writes it: "80GB HBM3"
    std::int64_t memory = 0;  // in `unit`
    std::string unit;         // "GB" or "GiB"
    std::int64_t bytes = 0;   // memory x unitBytes(unit)
    std::string source;       // where the figure comes from
};

/// 10^9 for "GB", 2^30 for "GiB"; throws InputError for anything else.
std::int64_t unitBytes(std::string_view unit);
/// Reads a gpus.json document. Throws InputError naming the entry when a field is missing, the
/// unit unknown, or "bytes" differs from memory x unit.
std::vector<GpuPreset> readGpuPresets(const JsonValue& root);
/// The embedded table (parsed once).
const std::vector<GpuPreset>& gpuPresets();
/// Case-insensitive lookup; throws InputError listing the names.
const GpuPreset& findGpuPreset(std::string_view name);

}  // namespace kvscope

#include "core/memory/gpu_presets.h"

#include <algorithm>
#include <cctype>

#include "core/memory/embedded_presets.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

std::int64_t unitBytes(std::string_view unit) {
    if (unit == "GB") return 1000000000;
    if (unit == "GiB") return std::int64_t(1) << 30;
    throw InputError("GPU memory unit must be \"GB\" (10^9 B) or \"GiB\" (2^30 B), got \"" +
                     std::string(unit) + "\"");
}

std::vector<GpuPreset> readGpuPresets(const JsonValue& root) {
    std::vector<GpuPreset> gpus;
    for (const JsonValue& entry : root.at("gpus").items()) {
        GpuPreset gpu;
        gpu.name = entry.at("name").asString();
        gpu.vendor_text = entry.at("vendor_text").asString();
        gpu.memory = entry.at("memory").asInt64();
        gpu.unit = entry.at("unit").asString();
        gpu.source = entry.at("source").asString();
        const std::int64_t stated = entry.at("bytes").asInt64();
        if (gpu.memory <= 0) entry.at("memory").fail("GPU memory must be > 0");
        gpu.bytes = checkedMul(gpu.memory, unitBytes(gpu.unit), "GPU memory bytes");
        if (stated != gpu.bytes) {
            entry.at("bytes").fail("is " + std::to_string(stated) + " but " +
                                   std::to_string(gpu.memory) + " " + gpu.unit + " is " +
                                   std::to_string(gpu.bytes) + " bytes");
        }
        gpus.push_back(std::move(gpu));
    }
    return gpus;
}

const std::vector<GpuPreset>& gpuPresets() {
    static const std::vector<GpuPreset> gpus =
        readGpuPresets(parseJson(embeddedGpusJson(), "resources/gpus.json"));
    return gpus;
}

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

const GpuPreset& findGpuPreset(std::string_view name) {
    for (const GpuPreset& gpu : gpuPresets()) {
        if (equalsIgnoringCase(gpu.name, name)) return gpu;
    }
    std::string names;
    for (const GpuPreset& gpu : gpuPresets())
        names += (names.empty() ? "" : ", ") + gpu.name;
    throw InputError("unknown GPU '" + std::string(name) + "' (known: " + names + ")");
}

}  // namespace kvscope

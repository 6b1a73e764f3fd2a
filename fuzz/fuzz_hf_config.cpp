// libFuzzer entry point for the HF config.json reader, as `memory --config` uses it: any byte
// string must either read as a model shape (then its weight count and KV estimate are computed)
// or be refused with InputError. Anything else (a crash, a sanitizer report, another exception,
// a hang, a huge allocation) is a bug that libFuzzer reports.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/memory/hf_config.h"
#include "core/memory/memory_estimator.h"
#include "core/memory/weight_count.h"
#include "core/util/error.h"
#include "core/util/json_value.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const kvscope::JsonValue root = kvscope::parseJson(text, "config.json");
        const kvscope::ModelShape shape = kvscope::readHfConfig(root, "config.json");
        const kvscope::WeightLayout layout = kvscope::weightLayoutFromConfig(root);
        (void)kvscope::denseParameterCount(shape, layout);
        kvscope::WeightSpec weights;
        weights.layout = layout;
        kvscope::GpuSpec gpu;
        gpu.bytes = std::int64_t(80) << 30;  // a GPU, so the fit and the inverse solving run too
        (void)kvscope::estimateMemory(shape, kvscope::CacheSpec{},
                                      kvscope::Workload{.context = 4096}, weights, gpu);
    } catch (const kvscope::InputError&) {
        // A clear refusal is the expected outcome for most inputs.
    }
    return 0;
}

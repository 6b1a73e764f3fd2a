#include "app/cli/bench/bench_model_rss.h"

#include "app/cli/bench/bench_models.h"
#include "app/cli/bench/bench_runner.h"
#include "app/cli/bench/child_peak_rss.h"

namespace kvscope::cli {

ModelRunMemory measureModelRunMemory(std::string_view entry, std::int64_t context, int steps) {
    const std::string reference(entry);
    const ChildMeasurement m = measureInChild([&](ChildTimer& timer) -> std::int64_t {
        timer.start();
        const BenchModel model = loadBenchModel(reference);
        const DecodeTiming timing = timeDecode(model.model, CacheMode::Cached, 1, context, steps);
        timer.stop();
        return timing.n_steps;
    });
    ModelRunMemory memory;
    memory.error = m.error;
    if (memory.error.empty() && !m.peak_reset)
        memory.error = "the peak RSS could not be reset (/proc/self/clear_refs)";
    if (memory.error.empty()) memory.peak_rss_bytes = m.peak_rss_bytes;
    return memory;
}

}  // namespace kvscope::cli

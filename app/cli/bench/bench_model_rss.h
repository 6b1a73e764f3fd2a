#pragma once
// The peak resident memory of one bench model run on its own: loading (or building) it and
// decoding it, in a forked child (child_peak_rss.h), so that neither the other models nor the
// memcpy buffers count.
#include <cstdint>
#include <string>
#include <string_view>

namespace kvscope::cli {

struct ModelRunMemory {
    std::int64_t peak_rss_bytes = 0;  // the child's peak RSS increase (0 when `error` is set)
    std::string error;                // why it could not be measured
};

/// In a child: loadBenchModel(entry) (the random weights built, or the file's pages mapped and
/// touched), a prefill of `context - 1` tokens and `steps` cached decode steps on one thread
/// (libgomp's thread pool does not survive fork(): a parallel region in the child could hang).
/// The result is the child's peak RSS increase over its start: the weights as held in memory (a
/// file's mapped pages count once touched), the KV cache and the scratch.
ModelRunMemory measureModelRunMemory(std::string_view entry, std::int64_t context, int steps);

}  // namespace kvscope::cli

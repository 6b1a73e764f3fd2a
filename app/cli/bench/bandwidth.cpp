#include "app/cli/bench/bandwidth.h"

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "app/cli/stats.h"

namespace kvscope::cli {

namespace {

void copySlices(const char* source, char* destination, std::int64_t bytes, int n_threads) {
    if (n_threads <= 1) {
        std::memcpy(destination, source, std::size_t(bytes));
        return;
    }
    std::vector<std::thread> threads;
    const std::int64_t slice = (bytes + n_threads - 1) / n_threads;
    for (int t = 0; t < n_threads; ++t) {
        const std::int64_t begin = std::min(bytes, slice * t);
        const std::int64_t end = std::min(bytes, begin + slice);
        threads.emplace_back(
            [=] { std::memcpy(destination + begin, source + begin, std::size_t(end - begin)); });
    }
    for (std::thread& thread : threads)
        thread.join();
}

}  // namespace

CopyBandwidth measureCopyBandwidth(std::int64_t buffer_bytes, int n_threads, int repetitions) {
    if (buffer_bytes <= 0 || n_threads <= 0 || repetitions <= 0) {
        throw std::logic_error("measureCopyBandwidth: sizes must be positive");
    }
    std::vector<char> source(std::size_t(buffer_bytes), 1);  // filled: every page touched
    std::vector<char> destination(std::size_t(buffer_bytes), 0);
    copySlices(source.data(), destination.data(), buffer_bytes, n_threads);  // warm-up

    std::vector<double> seconds;
    for (int r = 0; r < repetitions; ++r) {
        source[std::size_t(r) % source.size()] = char(r);  // each copy moves fresh data
        const auto start = std::chrono::steady_clock::now();
        copySlices(source.data(), destination.data(), buffer_bytes, n_threads);
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    if (destination[std::size_t(repetitions - 1) % destination.size()] != char(repetitions - 1)) {
        throw std::runtime_error("measureCopyBandwidth: the copy did not arrive");
    }
    CopyBandwidth result;
    result.buffer_bytes = buffer_bytes;
    result.n_threads = n_threads;
    result.repetitions = repetitions;
    result.median_seconds = median(seconds);
    return result;
}

}  // namespace kvscope::cli

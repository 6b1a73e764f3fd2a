// libFuzzer entry point for the serve-sim workload CSV reader: any byte string must either read
// as requests (every one within the limits the reader promises) or be refused with InputError;
// the text and stream entry points must agree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "core/sim/workload_csv.h"
#include "core/util/error.h"

namespace {

constexpr std::int64_t kMaxSeq = 2048;

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "workload CSV: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::string from_text, from_stream;
    std::size_t n_text = 0, n_stream = 0;
    try {
        const auto requests =
            kvscope::sim::parseWorkloadCsv(std::string_view(text), "f.csv", kMaxSeq);
        n_text = requests.size();
        std::int64_t last_arrival = 0;
        for (const kvscope::sim::Request& r : requests) {
            if (r.prompt_len < 1 || r.output_len < 1 || r.prompt_len + r.output_len > kMaxSeq ||
                r.arrival < last_arrival)
                broken("a request outside the promised limits");
            last_arrival = r.arrival;
        }
        if (n_text == 0 || std::int64_t(n_text) > kvscope::sim::kMaxWorkloadCsvRequests)
            broken("a request count outside the promised limits");
    } catch (const kvscope::InputError& e) {
        from_text = e.what();
    }
    try {
        std::istringstream in(text);
        n_stream = kvscope::sim::parseWorkloadCsv(in, "f.csv", kMaxSeq).size();
    } catch (const kvscope::InputError& e) {
        from_stream = e.what();
    }
    if (from_text != from_stream || n_text != n_stream) broken("text and stream disagree");
    return 0;
}

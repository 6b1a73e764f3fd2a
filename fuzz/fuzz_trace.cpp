// libFuzzer entry point for the JSON trace reader: any byte string must either read as a Trace or
// be refused with InputError. A trace that reads must also round-trip: written and read again it
// gives the same bytes (export -> import -> export), else the target aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/trace/trace_json.h"
#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    kvscope::Trace trace;
    try {
        trace = kvscope::readTraceJson(text, "fuzz.json");
    } catch (const kvscope::InputError&) {
        return 0;  // a clear refusal is the expected outcome for most inputs
    }
    const std::string first = kvscope::traceJsonString(trace);
    const std::string second =
        kvscope::traceJsonString(kvscope::readTraceJson(first, "first.json"));
    if (first != second) {
        std::fprintf(stderr, "trace round trip changed the bytes\n");
        std::abort();
    }
    return 0;
}

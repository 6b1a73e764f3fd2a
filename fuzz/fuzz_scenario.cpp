// libFuzzer entry point for the scenario file reader: any byte string must either read as a
// ScenarioFile or be refused with InputError. A scenario that reads must round-trip: its canonical
// text reads back as an equal scenario with the same text, else the target aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/trace/scenario_file.h"
#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    kvscope::ScenarioFile file;
    try {
        file = kvscope::readScenarioJson(text, "fuzz.kvscope.json");
    } catch (const kvscope::InputError&) {
        return 0;  // a clear refusal is the expected outcome for most inputs
    }
    const std::string first = kvscope::scenarioFileJson(file);
    const kvscope::ScenarioFile back = kvscope::readScenarioJson(first, "first.kvscope.json");
    if (!(back == file) || kvscope::scenarioFileJson(back) != first) {
        std::fprintf(stderr, "scenario round trip changed it\n");
        std::abort();
    }
    return 0;
}

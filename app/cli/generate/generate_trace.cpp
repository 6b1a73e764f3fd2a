#include "app/cli/generate/generate_trace.h"

#include "core/trace/make_trace.h"
#include "core/trace/scenario_options.h"
#include "core/util/error.h"

namespace kvscope::cli {

TraceFormat traceFormatFlag(const ParsedArgs& args) {
    if (const auto text = args.optionalValue("trace-format")) {
        if (const auto format = parseTraceFormat(*text)) return *format;
        throw InputError("--trace-format: expected json, csv or chrome, got '" + *text + "'");
    }
    const std::string& path = args.value("trace");
    if (const auto format = traceFormatForPath(path)) return *format;
    throw InputError("--trace: cannot tell the format of '" + path +
                     "' from its name (use .json, .csv, .chrome.json or .perfetto.json, or give "
                     "--trace-format json|csv|chrome)");
}

void saveGenerationTrace(const std::string& path, TraceFormat format, const Model& model,
                         std::string_view model_reference, const GenerationRequest& request,
                         const Generation& gen) {
    Scenario scenario;
    scenario.model = std::string(model_reference);
    scenario.prompt = request.prompt;
    scenario.max_new_tokens = request.max_new_tokens;
    setSessionOptions(scenario, request.options);
    const Trace trace = makeTrace(model, std::move(scenario), gen.records, gen.backend);
    try {
        saveTrace(path, trace, format);
    } catch (const InputError& e) {
        throw InputError(std::string("--trace: ") + e.what());
    }
}

}  // namespace kvscope::cli

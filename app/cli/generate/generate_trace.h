#pragma once
// `generate --trace FILE [--trace-format json|csv|chrome]`: which format, and saving the run.
#include <string>
#include <string_view>

#include "app/cli/cli_args.h"
#include "app/cli/generation.h"
#include "core/trace/trace_file.h"

namespace kvscope::cli {

/// `--trace-format` when given, else the format the `--trace` file name asks for (see
/// traceFormatForPath()). Throws InputError naming the flag when neither decides.
TraceFormat traceFormatFlag(const ParsedArgs& args);

/// Saves `gen` (run on `model` as `request` asked, with `--model model_reference`) to `path`.
/// Throws InputError "--trace: cannot write 'PATH': <reason>"; the file is then left as it was.
void saveGenerationTrace(const std::string& path, TraceFormat format, const Model& model,
                         std::string_view model_reference, const GenerationRequest& request,
                         const Generation& gen);

}  // namespace kvscope::cli

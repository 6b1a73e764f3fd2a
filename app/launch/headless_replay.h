#pragma once
// `kvscope TRACE.json` without a display: the saved run replayed as text, as `kvscope-cli
// generate` prints a live one (the text on stdout, a summary on stderr). No model is needed.
#include <ostream>
#include <string>

namespace kvscope {

/// Reads the trace at `path` (throws the reader's InputError for a missing or bad file) and
/// prints the prompt and the generated text to `out`, the run's facts to `err`. Returns 0.
int replayTraceHeadless(const std::string& path, std::ostream& out, std::ostream& err);

/// True for a name `kvscope` opens as a saved trace: "*.json" that is not a "*.kvscope.json"
/// scenario (case-insensitive), as the window's File > Open decides.
bool isTraceFileName(std::string_view path);

}  // namespace kvscope

#pragma once
// The GUI half of `kvscope-cli export`, plugged in at startup: kvscope_cli_lib has no Qt, so the
// binary's main() registers the renderer (ui/headless_export.h) when it is built with the GUI.
#include <ostream>
#include <string>

namespace kvscope::cli {

/// Checked flags of one `kvscope-cli export` run.
struct ExportRequest {
    std::string scenario;  // --scenario FILE.kvscope.json
    std::string what;      // --what: one of the names the help lists
    std::string format;    // --format png|svg|pdf|csv|json
    std::string out;       // --out FILE
    int scale = 1;         // --scale 1..4
};

/// Returns the exit code; the result line to `out`, errors to `err`.
using ExportRunner = int (*)(const ExportRequest& request, std::ostream& out, std::ostream& err);

/// Called by main() before runCli(); without it `export` exits 2 saying it needs the GUI build.
void setExportRunner(ExportRunner runner);

}  // namespace kvscope::cli

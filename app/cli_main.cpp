// kvscope-cli: the headless command line. Everything is in runCli(); in builds with the GUI,
// `export` is handed the offscreen renderer of the GUI library (it needs no display).
#include <iostream>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "app/cli/export/export_command.h"

#ifdef KVSCOPE_HEADLESS_EXPORT
#include "ui/export/headless_export.h"

namespace {

int runExport(const kvscope::cli::ExportRequest& r, std::ostream& out, std::ostream& err) {
    return kvscope::runHeadlessExport({r.scenario, r.what, r.format, r.out, r.scale}, out, err);
}

}  // namespace
#endif

int main(int argc, char** argv) {
#ifdef KVSCOPE_HEADLESS_EXPORT
    kvscope::cli::setExportRunner(&runExport);
#endif
    const std::vector<std::string> args(argv + 1, argv + argc);
    return kvscope::runCli(args, std::cout, std::cerr);
}

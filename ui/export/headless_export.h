#pragma once
// `kvscope-cli export` in a GUI build: runs a scenario file through the real MainWindow offscreen
// (no display needed) and exports one chart of it. This header is Qt-free so that app/ can call
// it without Qt types; the implementation creates the QApplication when there is none.
#include <ostream>
#include <string>
#include <vector>

namespace kvscope {

struct HeadlessExportRequest {
    std::string scenario;  // a .kvscope.json file
    std::string what;      // an export target name: heatmap, cache-growth, compute, memory, ...
    std::string format;    // png, svg, pdf, csv
    std::string out;       // the file to write
    int scale = 1;         // PNG pixels per widget pixel, 1..4
};

/// The names --what accepts, in help order (paging and quant while their views are missing too).
std::vector<std::string> headlessExportNames();

/// Returns 0 and writes one line to `out` on success; 2 for bad input (scenario file, names,
/// a model that cannot be opened, a file that cannot be written), 1 for an internal failure,
/// each with one "kvscope-cli: export: ..." line on `err`. Leaves no partial output file.
int runHeadlessExport(const HeadlessExportRequest& request, std::ostream& out, std::ostream& err);

}  // namespace kvscope

// `kvscope-cli export`: one chart of a scenario as PNG, SVG, PDF or CSV, rendered offscreen by the
// GUI's own views. The flags are checked here (no Qt); the rendering is the GUI library's
// (ui/headless_export.h), registered by kvscope-cli's main() in builds with the GUI. Without it
// the command says so and exits 2.
#include "app/cli/export/export_command.h"
#include "app/cli/activations_flag.h"
#include "app/cli/backend_flag.h"
#include "app/cli/threads_flag.h"

#include <ostream>
#include <string>

#include "app/cli/command.h"
#include "core/util/error.h"

namespace kvscope::cli {

namespace {

ExportRunner g_runner = nullptr;

constexpr std::string_view kWhat[] = {
    "heatmap",        "head-grid",     "cache-growth",    "compute",
    "memory",         "memory-dtype",  "memory-capacity", "paging",
    "paging-running", "paging-waste",  "paging-blocks",   "quant",
    "quant-logits",   "quant-heatmap", "evict",           "evict-bytes"};
constexpr std::string_view kFormats[] = {"png", "svg", "pdf", "csv", "json"};

constexpr FlagSpec kFlags[] = {
    {"scenario", "FILE", "the scenario to run (.kvscope.json)", true},
    {"what", "CHART",
     "heatmap|head-grid|cache-growth|compute|memory[-dtype|-capacity]|paging[-running|-waste|"
     "-blocks]|quant[-logits|-heatmap]|evict[-bytes]",
     true},
    {"format", "F", "png|svg|pdf|csv|json", true},
    {"out", "FILE", "the file to write (replaced atomically)", true},
    {"scale", "N", "PNG pixels per screen pixel, 1 to 4 (default 1)"},
    kThreadsFlag,
    kBackendFlag,
    kActivationsFlag,
};

constexpr std::string_view kDetails =
    "Opens the scenario in the real window offscreen (no display is needed): loads the model,\n"
    "prefills the prompt, runs its \"steps\" decode steps, applies its view settings, then\n"
    "exports one chart as the GUI's File > Export does:\n"
    "  heatmap          the attention heatmap of the scenario's layer and head\n"
    "  head-grid        every head at once (small multiples)\n"
    "  cache-growth     KV bytes held per layer after each step\n"
    "  compute          cached vs recompute wall time and FLOPs per step\n"
    "  memory           KV bytes vs context by attention variant (the Memory view; the model\n"
    "                   of the scenario); memory-dtype by KV dtype; memory-capacity per GPU\n"
    "  paging           KV utilization per step of the Paging view's serving simulation;\n"
    "                   paging-running, paging-waste its other charts, paging-blocks the pool\n"
    "  quant            attention error per step of the Quantization view (its codecs run on\n"
    "                   the scenario's model and prompt); quant-logits the next-token error,\n"
    "                   quant-heatmap |A_codec - A_fp32| of one head\n"
    "  evict            next-token KL per step of the Eviction view (the scenario's bounded\n"
    "                   cache against the full one); evict-bytes the bytes both hold\n"
    "  evict            next-token KL per step of the Eviction view (the scenario's bounded\n"
    "                   cache against the full one); evict-bytes the bytes both hold\n"
    "PNG is rendered at --scale times the on-screen pixels (not enlarged); SVG and PDF are\n"
    "vector, PDF one page; CSV holds the numbers the chart plots, with a header row; JSON\n"
    "(evict, evict-bytes) the Eviction view's comparison as evict-eval --json writes it.\n"
    "Needs a build with the GUI (KVSCOPE_GUI=ON); without it the command exits 2.\n";

template <std::size_t N>
void checkChoice(std::string_view flag, const std::string& value,
                 const std::string_view (&choices)[N]) {
    for (std::string_view choice : choices)
        if (value == choice) return;
    std::string list;
    for (std::string_view choice : choices) {
        if (!list.empty()) list += '|';
        list += choice;
    }
    throw InputError(flagName(flag) + ": expected " + list + ", got '" + value + "'");
}

int runExportCommand(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
    ExportRequest request;
    request.scenario = args.value("scenario");
    request.what = args.value("what");
    request.format = args.value("format");
    request.out = args.value("out");
    checkChoice("what", request.what, kWhat);
    checkChoice("format", request.format, kFormats);
    if (request.out.empty()) throw InputError("--out: the file name is empty");
    if (const auto scale = args.optionalValue("scale")) {
        request.scale = int(parseIntInRange("scale", *scale, 1, 4));
    }
    if (g_runner == nullptr)
        throw InputError(
            "export needs the GUI build: this kvscope-cli was built without Qt "
            "(KVSCOPE_GUI=OFF); rebuild with -DKVSCOPE_GUI=ON to export charts");
    return g_runner(request, out, err);
}

}  // namespace

void setExportRunner(ExportRunner runner) {
    g_runner = runner;
}

const Command& exportCommand() {
    static const Command command{"export",
                                 "export a chart of a scenario (PNG, SVG, PDF, CSV, JSON)",
                                 kDetails, kFlags, runExportCommand};
    return command;
}

}  // namespace kvscope::cli

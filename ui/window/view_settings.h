#pragma once
// A scenario's (or a lesson step's) view settings applied to the window's views (ViewTabs): the
// tab to show and what it shows. The generate keys are accepted whatever the view (a saved
// scenario always carries them); the other keys belong to the view named:
//   generate  layer, head (whole numbers), all_heads, log_scale (true/false),
//             cost_measure ("time" | "flops"), cost_cumulative (true/false)
//   memory    preset, dtype ("fp16", "int8", ...), layout ("contiguous" | "paged"), gpu (texts);
//             context, batch, shared_prefix, block_size, tp (whole numbers); chart ("variants"
//             | "dtypes" | "capacity": the one in front when the view is too narrow for all)
//   paging    policy ("contiguous-max" | "contiguous-exact" | "paged" | "paged-prefix"),
//             block_size, requests, sim_steps (whole numbers: the simulated steps shown)
//   quant     k, v (codec names), window (whole number: the last W tokens in fp16),
//             run (true: start the comparison once the scenario's model is loaded)
#include <QString>

#include "core/trace/scenario_file.h"

namespace kvscope {

class ViewTabs;

enum class ViewSettingsStage {
    Immediate,  // before the scenario's engine work: settings only, no actions
    Final,      // the model is loaded and the steps are in: "run" and "sim_steps" act too
};

/// Applies `file`'s view settings and shows its view. Returns "" or the first problem (an unknown
/// view or key, a value of the wrong type, a preset or codec that does not exist); the settings
/// before it are applied.
QString applyViewSettings(ViewTabs& views, const ScenarioFile& file,
                          ViewSettingsStage stage = ViewSettingsStage::Final);

/// Waits until the view on screen has finished its own work (a quantization comparison, a
/// paging study). False on timeout.
bool waitForView(ViewTabs& views, int timeout_ms);

}  // namespace kvscope

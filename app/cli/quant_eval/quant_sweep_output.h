#pragma once
// The two presentations of `kvscope-cli quant-eval --prompts FILE`: each codec pooled over many
// sequences, as a table for people or one JSON object for scripts.
#include <ostream>

#include "app/cli/quant_eval/quant_eval_output.h"
#include "core/eval/quant_sweep.h"

namespace kvscope::cli {

void writeQuantSweepTable(const QuantEvalSetup& setup, const QuantSweepResult& result,
                          std::ostream& out);
void writeQuantSweepJson(const QuantEvalSetup& setup, const QuantSweepResult& result,
                         std::ostream& out);

}  // namespace kvscope::cli

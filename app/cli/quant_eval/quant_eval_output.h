#pragma once
// The two presentations of `kvscope-cli quant-eval`: a table for people, one JSON object for
// scripts.
#include <ostream>
#include <string>

#include "core/eval/quant_eval.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

/// What the command ran on, for the headers of both outputs.
struct QuantEvalSetup {
    std::string model;
    std::string source;  // "prompt '...' + 200 fp32 greedy steps" or "text FILE"
    std::string layout;  // "contiguous" / "paged (block 32)"
};

/// The setup's model, source and layout as fields of the JSON object being written.
void writeSetupFields(const QuantEvalSetup& setup, JsonWriter& json);

void writeQuantEvalTable(const QuantEvalSetup& setup, const QuantEvalResult& result,
                         std::ostream& out);
void writeQuantEvalJson(const QuantEvalSetup& setup, const QuantEvalResult& result,
                        std::ostream& out);

}  // namespace kvscope::cli

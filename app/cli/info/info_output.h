#pragma once
// The two presentations of `kvscope-cli info`: aligned text with IEC units for people, one JSON
// object (numbers as numbers, bytes as exact integers) for scripts.
#include <ostream>

#include "app/cli/info/model_info.h"

namespace kvscope::cli {

void writeInfoText(const ModelInfo& info, std::ostream& out);
void writeInfoJson(const ModelInfo& info, std::ostream& out);

}  // namespace kvscope::cli

#include "app/cli/activations_flag.h"

#include <string>

#include "core/engine/backend_select.h"

namespace kvscope::cli {

cpu::Activations parseActivationsFlag(const ParsedArgs& args) {
    const std::optional<std::string> text = args.optionalValue("activations");
    if (!text) return cpu::Activations::LlamaCpp;
    return parseActivations(*text, flagName("activations"));
}

}  // namespace kvscope::cli

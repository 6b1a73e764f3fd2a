#include "core/engine/activation_scheme.h"

#include "core/engine/int_dot.h"

namespace kvscope {

bool activationSchemeApplies(const ModelConfig& config, const ModelWeights& weights) {
    auto integer = [](const WeightMatrix& w) { return w.rows() > 0 && cpu::hasIntDot(w.type()); };
    if (integer(weights.classifier(config))) return true;
    for (const LayerWeights& layer : weights.layers) {
        for (const WeightMatrix* w : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w_gate,
                                      &layer.w_up, &layer.w_down}) {
            if (integer(*w)) return true;
        }
    }
    return false;
}

const char* activationsFlagValue(cpu::Activations activations) {
    return activations == cpu::Activations::Float ? "float" : "q8";
}

}  // namespace kvscope

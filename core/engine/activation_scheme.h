#pragma once
// Whether the activation scheme (--activations q8|float, cpu::Activations) changes anything for a
// model: only products with weight types that have an integer dot product (hasIntDot: Q4_0 ...
// Q6_K, IQ4_NL, IQ4_XS) round their activation rows to 8 bits. F32, F16 and BF16 weights take
// fp32 rows under either scheme, so their logits are the same both ways.
#include <string>

#include "core/engine/cpu_math.h"
#include "core/model/model_config.h"
#include "core/model/model_weights.h"

namespace kvscope {

/// True when some matrix a forward pass multiplies (every layer's Q, K, V, output, gate, up and
/// down, and the classifier) has a type whose products take 8-bit activations under
/// cpu::Activations::LlamaCpp. The embedding is a row lookup, never a product.
bool activationSchemeApplies(const ModelConfig& config, const ModelWeights& weights);

/// "q8" or "float": the spelling of --activations and of a scenario's "activations".
const char* activationsFlagValue(cpu::Activations activations);

}  // namespace kvscope

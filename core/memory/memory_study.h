#pragma once
// Everything the GUI's Memory view shows for one scenario, computed in one call: the estimate for
// the model, the same estimate for each attention variant (attention_variants.h), KV-per-sequence
// curves against context for each variant and each KV dtype, and the per-GPU memory stack. Bad
// input is reported as a MemoryInputError naming the input field, the way a form needs it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/memory/attention_variants.h"
#include "core/memory/kv_curve.h"
#include "core/memory/memory_estimator.h"
#include "core/memory/serving_engine.h"
#include "core/util/error.h"

namespace kvscope {

/// The inputs of a memory what-if, as a form collects them.
struct MemoryScenario {
    ModelShape shape;
    WeightSpec weights;
    CacheSpec cache;
    Workload workload;
    GpuSpec gpu;  // bytes 0 = no GPU
};

/// The form field a bad input belongs to.
enum class MemoryField {
    Model,
    Context,
    Batch,
    SharedPrefix,
    TensorParallel,
    KvDtype,
    BlockSize,
    Gpu,
    Workload,  // a combination (a byte total that overflows 64 bits)
};
/// "Model", "Context", "Batch", "Shared prefix", "Tensor parallel", "KV dtype", "Block size",
/// "GPU memory", "Workload".
std::string_view toString(MemoryField field);

/// InputError whose message starts with the field's name: "Tensor parallel: 3 GPUs do not divide
/// the 32 query heads".
class MemoryInputError : public InputError {
public:
    MemoryInputError(MemoryField field, const std::string& what);
    MemoryField field() const { return m_field; }

private:
    MemoryField m_field;
};

/// Throws MemoryInputError for the first bad field, checked in form order (model, context, batch,
/// shared prefix, tensor parallel, KV dtype with layout, block size, GPU), then for anything
/// checkKvInputs still refuses (as Workload).
void checkMemoryScenario(const MemoryScenario& scenario);

/// What one attention variant needs under the scenario's cache, workload and GPU.
struct VariantStudy {
    AttentionVariantShape variant;
    bool ok = false;
    std::string error;    // why there is no estimate (e.g. TP does not divide its KV heads)
    MemoryReport report;  // when ok
    KvCurve curve;        // KV per sequence against context; empty when !ok
};

struct DtypeCurve {
    KvDtype dtype;
    KvCurve curve;
};

/// One labelled piece of a GPU's memory: weights, KV cache, KV slack.
struct MemorySegment {
    std::string name;  // "weights", "KV cache", "KV slack"
    std::int64_t bytes = 0;
    std::string note;  // what it counts
};

struct MemoryStudy {
    std::int64_t context_max = 0;  // the curves' x range: max(context, the model's max_context)
    MemoryReport report;           // the model as it is (variants[0].report)
    std::vector<VariantStudy> variants;  // variants[0] is the model as it is
    std::vector<DtypeCurve> dtypes;      // every KvDtype, in kvDtypes() order, for the model
    /// The serving-engine section (serving_engine.h) with a GPU: max_model_len = the context,
    /// gpu_memory_utilization = the GPU's usable fraction, vLLM's other defaults. nullopt without
    /// a GPU or when it cannot be computed (serving_error says why).
    std::optional<ServingReport> serving;
    std::string serving_error;
};

/// Checks the scenario (checkMemoryScenario) and computes the study with curves of
/// `curve_steps` + 1 evenly spaced contexts (plus the bends). Throws MemoryInputError.
MemoryStudy studyMemory(const MemoryScenario& scenario, int curve_steps = 96);

/// The per-GPU stack of `report`: weights (weights_bytes_per_gpu), KV cache token-exact
/// (per_gpu.used), KV slack (kv_bytes_per_gpu - used: empty paged slots and per-sequence
/// copies of a partial shared block, or contiguous reservations), and for hybrid models the
/// recurrent state (per_gpu.state, only when > 0). They add up to weights + KV + state.
std::vector<MemorySegment> perGpuSegments(const MemoryReport& report);

}  // namespace kvscope

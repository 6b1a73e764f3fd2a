#include "core/memory/memory_study.h"

#include <algorithm>

namespace kvscope {

namespace {

std::string num(std::int64_t value) {
    return std::to_string(value);
}

[[noreturn]] void fail(MemoryField field, const std::string& what) {
    throw MemoryInputError(field, what);
}

bool usesKivi(const CacheSpec& cache) {
    return cache.k_dtype == KvDtype::KIVI2 || cache.v_dtype == KvDtype::KIVI2;
}

void checkWorkloadFields(const MemoryScenario& s) {
    const Workload& w = s.workload;
    if (w.context <= 0)
        fail(MemoryField::Context, "must be at least 1 token, got " + num(w.context));
    if (w.context > kMaxEstimatorContext) {
        fail(MemoryField::Context, num(w.context) + " tokens is more than the " +
                                       num(kMaxEstimatorContext) +
                                       " (2^32) tokens the estimator accepts");
    }
    if (w.batch <= 0) fail(MemoryField::Batch, "must be at least 1 sequence, got " + num(w.batch));
    if (w.batch > kMaxEstimatorBatch) {
        fail(MemoryField::Batch, num(w.batch) + " sequences is more than the " +
                                     num(kMaxEstimatorBatch) + " (2^32) the estimator accepts");
    }
    if (w.shared_prefix < 0 || w.shared_prefix > w.context) {
        fail(MemoryField::SharedPrefix, "must be between 0 and the context (" + num(w.context) +
                                            " tokens), got " + num(w.shared_prefix));
    }
}

void checkParallelFields(const MemoryScenario& s) {
    const std::int64_t tp = s.workload.tp;
    const ModelShape& shape = s.shape;
    if (tp <= 0) fail(MemoryField::TensorParallel, "must be at least 1 GPU, got " + num(tp));
    if (shape.n_heads % tp != 0) {
        fail(MemoryField::TensorParallel, num(tp) + " GPUs do not divide the " +
                                              num(shape.n_heads) + " query heads of " + shape.name);
    }
    const std::int64_t kv = shape.n_kv_heads;
    if (shape.attention != AttentionKind::MLA) {
        if (kv >= tp && kv % tp != 0) {
            fail(MemoryField::TensorParallel,
                 num(tp) + " GPUs do not divide the " + num(kv) + " KV heads of " + shape.name);
        }
        if (kv < tp && tp % kv != 0) {
            fail(MemoryField::TensorParallel, "the " + num(kv) +
                                                  " KV heads cannot be replicated evenly over " +
                                                  num(tp) + " GPUs");
        }
    }
}

void checkCacheFields(const MemoryScenario& s) {
    if (s.cache.layout == KvLayout::Paged && usesKivi(s.cache)) {
        fail(MemoryField::KvDtype,
             "kivi2 is modelled for the contiguous layout only (its fp16 window moves across "
             "blocks): choose the contiguous layout or another dtype");
    }
    if (s.cache.block_size <= 0) {
        fail(MemoryField::BlockSize, "must be at least 1 token, got " + num(s.cache.block_size));
    }
    if (s.gpu.bytes < 0) fail(MemoryField::Gpu, "must be >= 0 bytes, got " + num(s.gpu.bytes));
}

KvCurve curveOf(const ModelShape& shape, const CacheSpec& cache, const MemoryStudy& study,
                std::int64_t marker, int steps) {
    return kvSequenceCurve(shape, cache,
                           curveContexts(shape, cache, study.context_max, marker, steps));
}

}  // namespace

std::string_view toString(MemoryField field) {
    switch (field) {
        case MemoryField::Model:
            return "Model";
        case MemoryField::Context:
            return "Context";
        case MemoryField::Batch:
            return "Batch";
        case MemoryField::SharedPrefix:
            return "Shared prefix";
        case MemoryField::TensorParallel:
            return "Tensor parallel";
        case MemoryField::KvDtype:
            return "KV dtype";
        case MemoryField::BlockSize:
            return "Block size";
        case MemoryField::Gpu:
            return "GPU memory";
        case MemoryField::Workload:
            return "Workload";
    }
    return "?";
}

MemoryInputError::MemoryInputError(MemoryField field, const std::string& what)
    : InputError(std::string(toString(field)) + ": " + what), m_field(field) {}

void checkMemoryScenario(const MemoryScenario& s) {
    try {
        s.shape.validate();
    } catch (const InputError& e) {
        fail(MemoryField::Model, e.what());
    }
    checkWorkloadFields(s);
    checkParallelFields(s);
    checkCacheFields(s);
    try {
        checkKvInputs(s.shape, s.cache, s.workload);
    } catch (const InputError& e) {
        fail(MemoryField::Workload, e.what());
    }
}

MemoryStudy studyMemory(const MemoryScenario& s, int curve_steps) {
    checkMemoryScenario(s);
    MemoryStudy study;
    study.context_max = std::max(s.workload.context, s.shape.max_context);
    const std::int64_t marker = s.workload.context;
    try {
        study.report = estimateMemory(s.shape, s.cache, s.workload, s.weights, s.gpu);
        for (AttentionVariantShape& variant : attentionVariants(s.shape)) {
            VariantStudy v{std::move(variant)};
            try {
                v.report = estimateMemory(v.variant.shape, s.cache, s.workload, s.weights, s.gpu);
                v.curve = curveOf(v.variant.shape, s.cache, study, marker, curve_steps);
                v.ok = true;
            } catch (const InputError& e) {
                if (v.variant.as_is) throw;
                v.error = e.what();
            }
            study.variants.push_back(std::move(v));
        }
        for (const KvDtypeInfo& info : kvDtypes()) {
            CacheSpec cache = s.cache;
            cache.k_dtype = cache.v_dtype = info.dtype;
            study.dtypes.push_back(
                {info.dtype, curveOf(s.shape, cache, study, marker, curve_steps)});
        }
        if (study.report.has_gpu) {
            ServingSpec serving;
            serving.gpu_memory_utilization = s.gpu.usable_fraction;
            serving.max_model_len = s.workload.context;
            try {
                study.serving =
                    estimateServing(s.shape, s.cache, s.workload, study.report, s.gpu, serving);
            } catch (const InputError& e) {
                study.serving_error = e.what();
            }
        } else {
            study.serving_error = "no GPU chosen";
        }
    } catch (const MemoryInputError&) {
        throw;
    } catch (const InputError& e) {
        fail(MemoryField::Workload, e.what());
    }
    return study;
}

std::vector<MemorySegment> perGpuSegments(const MemoryReport& r) {
    std::vector<MemorySegment> out = {
        {"weights", r.weights_bytes_per_gpu,
         "model weights on one GPU (split over tensor parallel)"},
        {"KV cache", r.per_gpu.used, "token-exact KV of the batch on one GPU"},
        {"KV slack", r.kv_bytes_per_gpu - r.per_gpu.used,
         "what the layout holds beyond the tokens: empty slots of paged blocks and copies of a "
         "partly shared block, or contiguous reservations"},
    };
    if (r.per_gpu.state > 0) {
        out.push_back({"recurrent state", r.per_gpu.state,
                       "fixed-size state of the layers without attention (conv + SSM or linear "
                       "attention), per sequence whatever the context"});
    }
    return out;
}

}  // namespace kvscope

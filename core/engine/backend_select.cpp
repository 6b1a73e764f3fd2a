#include "core/engine/backend_select.h"

#include <mutex>
#include <optional>

#include "core/engine/cpu_backend.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

struct Registry {
    std::mutex mutex;
    CudaBackendHooks hooks;
    std::optional<CudaAvailability> answer;
    BackendKind requested = BackendKind::Cpu;
    cpu::Activations activations = cpu::Activations::LlamaCpp;
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

std::string_view toString(BackendKind kind) {
    switch (kind) {
        case BackendKind::Cpu:
            return "cpu";
        case BackendKind::Cuda:
            return "cuda";
        case BackendKind::Auto:
            return "auto";
    }
    return "cpu";
}

BackendKind parseBackendKind(std::string_view text, std::string_view what) {
    for (BackendKind kind : {BackendKind::Cpu, BackendKind::Cuda, BackendKind::Auto}) {
        if (text == toString(kind)) return kind;
    }
    throw InputError(std::string(what) + ": expected cpu, cuda or auto, got '" + std::string(text) +
                     "'");
}

void registerCudaBackend(CudaBackendHooks hooks) {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    r.hooks = hooks;
    r.answer.reset();
}

CudaAvailability cudaAvailability() {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    if (!r.hooks.probe) {
        return {false,
                "this build has no CUDA backend (built without CUDA: nvcc was not found or "
                "KVSCOPE_CUDA=OFF)"};
    }
    if (!r.answer) r.answer = r.hooks.probe();
    return *r.answer;
}

BackendSelection makeBackend(BackendKind kind, int n_threads) {
    BackendSelection selection;
    if (kind != BackendKind::Cpu) {
        const CudaAvailability cuda = cudaAvailability();
        if (cuda.available) {
            selection.backend = registry().hooks.make();
            return selection;
        }
        if (kind == BackendKind::Cuda)
            throw InputError("--backend cuda: CUDA is unavailable: " + cuda.reason);
        selection.note = "auto: CUDA unavailable (" + cuda.reason + "); running on the CPU";
    }
    selection.backend = std::make_unique<CpuBackend>(n_threads, requestedActivations());
    return selection;
}

void setRequestedBackend(BackendKind kind) {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    r.requested = kind;
}

BackendKind requestedBackend() {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    return r.requested;
}

std::unique_ptr<Backend> makeRequestedBackend(int n_threads) {
    return makeBackend(requestedBackend(), n_threads).backend;
}

void setRequestedActivations(cpu::Activations activations) {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    r.activations = activations;
}

cpu::Activations requestedActivations() {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    return r.activations;
}

cpu::Activations parseActivations(std::string_view text, std::string_view what) {
    if (text == "q8") return cpu::Activations::LlamaCpp;
    if (text == "float") return cpu::Activations::Float;
    throw InputError(std::string(what) + ": expected q8 or float, got '" + std::string(text) + "'");
}

}  // namespace kvscope

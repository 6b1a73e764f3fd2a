#pragma once
// Which backend runs the forward pass: `cpu`, `cuda` or `auto` (the CLI's --backend, the GUI's
// backend selector, a scenario's "backend"). core/ knows no CUDA: the CUDA backend (kernels/)
// registers itself here at program start (app/ does it, registerCompiledBackends()), and a build
// without CUDA simply never registers one, so every caller can say why CUDA is unavailable.
#include <memory>
#include <string>
#include <string_view>

#include "core/engine/backend.h"
#include "core/engine/cpu_math.h"

namespace kvscope {

enum class BackendKind { Cpu, Cuda, Auto };

std::string_view toString(BackendKind kind);  // "cpu", "cuda", "auto"
/// Parses "cpu", "cuda" or "auto"; InputError naming `what` (e.g. "--backend") otherwise.
BackendKind parseBackendKind(std::string_view text, std::string_view what);

/// Whether the CUDA backend can run here; when not, why: built without CUDA, no driver, no
/// device, no kernel image for the device.
struct CudaAvailability {
    bool available = false;
    std::string reason;  // "" when available
};

/// What the CUDA backend registers: a probe (asked once, the answer kept) and a factory.
struct CudaBackendHooks {
    CudaAvailability (*probe)() = nullptr;
    std::unique_ptr<Backend> (*make)() = nullptr;
};
void registerCudaBackend(CudaBackendHooks hooks);

/// The (cached) answer of the registered probe, or "built without CUDA" when none registered.
CudaAvailability cudaAvailability();

struct BackendSelection {
    std::unique_ptr<Backend> backend;
    /// Set when `auto` fell back to the CPU: "auto: CUDA unavailable (<reason>); running on the
    /// CPU". Empty otherwise.
    std::string note;
};

/// The backend of `kind` (n_threads: the CPU backend's threads, 0 = all). `cuda` when CUDA is
/// unavailable throws InputError "--backend cuda: CUDA is unavailable: <reason>" (the CLI exits
/// 2); `auto` takes CUDA when available, else the CPU with a note saying why.
BackendSelection makeBackend(BackendKind kind, int n_threads);

/// The backend a run asked for (the CLI's --backend, kvscope's --backend, the GUI's selector),
/// used by every Session made without an explicit backend and by the evaluation harnesses.
/// Default: cpu.
void setRequestedBackend(BackendKind kind);
BackendKind requestedBackend();
/// makeBackend(requestedBackend(), n_threads).backend: `auto` falls back to the CPU silently
/// here (whoever set the request reported the fallback once).
std::unique_ptr<Backend> makeRequestedBackend(int n_threads);

/// The activation scheme a run asked for (the CLI's --activations): the CPU backends made here
/// use it. Default: cpu::Activations::LlamaCpp (8-bit activations for quantized weights).
void setRequestedActivations(cpu::Activations activations);
cpu::Activations requestedActivations();
/// Parses "q8" (LlamaCpp) or "float"; InputError naming `what` (e.g. "--activations") otherwise.
cpu::Activations parseActivations(std::string_view text, std::string_view what);

}  // namespace kvscope

#include "app/cli/backend_flag.h"

#include <string>

#include "core/util/error.h"
#if KVSCOPE_HAVE_CUDA
#include "kernels/cuda_backend.h"
#endif

namespace kvscope::cli {

void registerCompiledBackends() {
#if KVSCOPE_HAVE_CUDA
    static const bool registered = [] {
        registerCudaBackendHooks();
        return true;
    }();
    (void)registered;
#endif
}

BackendKind parseBackendFlag(const ParsedArgs& args, std::ostream& notes,
                             std::string_view program) {
    registerCompiledBackends();
    const std::optional<std::string> text = args.optionalValue("backend");
    if (!text) return BackendKind::Cpu;
    const BackendKind kind = parseBackendKind(*text, flagName("backend"));
    if (kind == BackendKind::Cpu) return kind;
    const CudaAvailability cuda = cudaAvailability();
    if (cuda.available) return kind;
    if (kind == BackendKind::Cuda)
        throw InputError(flagName("backend") + " cuda: CUDA is unavailable: " + cuda.reason);
    notes << program << ": --backend auto: CUDA is unavailable (" << cuda.reason
          << "); running on the CPU\n";
    return BackendKind::Cpu;
}

}  // namespace kvscope::cli

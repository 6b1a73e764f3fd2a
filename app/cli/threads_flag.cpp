#include "app/cli/threads_flag.h"

#include <string>

#include "core/engine/cpu_threads.h"
#include "core/util/error.h"

namespace kvscope::cli {

int parseThreadsFlag(const ParsedArgs& args) {
    const std::optional<std::string> text = args.optionalValue("threads");
    if (!text) return 0;
    const std::int64_t n = parsePositiveInt("threads", *text);
    if (n > kMaxThreads) {
        throw InputError(flagName("threads") + ": expected at most " + std::to_string(kMaxThreads) +
                         " threads, got '" + *text + "'");
    }
    return int(n);
}

void checkThreadsEnvironment() {
    (void)threadsFromEnvironment();
}

}  // namespace kvscope::cli

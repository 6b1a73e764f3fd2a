#include "core/util/check.h"

#include <string>

namespace kvscope {

void contractViolated(const char* condition, const char* file, int line) {
    throw ContractViolation(std::string("check failed: ") + condition + " (" + file + ":" +
                            std::to_string(line) + ")");
}

}  // namespace kvscope

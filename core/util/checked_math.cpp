#include "core/util/checked_math.h"

#include <string>

#include "core/util/error.h"

namespace kvscope {

namespace {
[[noreturn]] void overflow(std::string_view what, const char* op) {
    throw InputError(std::string(what) + " overflows 64 bits (" + op + ")");
}
}  // namespace

std::int64_t checkedMul(std::int64_t a, std::int64_t b, std::string_view what) {
    std::int64_t out = 0;
    if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &out)) overflow(what, "multiplication");
    return out;
}

std::int64_t checkedAdd(std::int64_t a, std::int64_t b, std::string_view what) {
    std::int64_t out = 0;
    if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &out)) overflow(what, "addition");
    return out;
}

}  // namespace kvscope

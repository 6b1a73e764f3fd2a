#include "core/util/checked_math.h"

#include <cmath>
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

namespace {
std::int64_t checkedToInt64(long double whole, std::string_view what) {
    // 2^63 is exact in long double; every whole number below it converts exactly.
    constexpr long double kLimit = 9223372036854775808.0L;
    if (!std::isfinite(whole) || whole < -kLimit || whole >= kLimit)
        throw InputError(std::string(what) + " is outside the 64-bit integer range");
    return std::int64_t(whole);
}
}  // namespace

std::int64_t checkedFloor(long double x, std::string_view what) {
    return checkedToInt64(std::floor(x), what);
}

std::int64_t checkedRound(long double x, std::string_view what) {
    return checkedToInt64(std::round(x), what);
}

}  // namespace kvscope

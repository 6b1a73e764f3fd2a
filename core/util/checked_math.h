#pragma once
// 64-bit size arithmetic that reports overflow instead of wrapping (docs/architecture.md: sizes
// are 64-bit, overflow is checked and reported). `what` names the quantity in the error message.
#include <cstdint>
#include <string_view>

namespace kvscope {

/// a * b for non-negative sizes; throws InputError naming `what` when the product overflows int64.
std::int64_t checkedMul(std::int64_t a, std::int64_t b, std::string_view what);
/// a + b for non-negative sizes; throws InputError naming `what` when the sum overflows int64.
std::int64_t checkedAdd(std::int64_t a, std::int64_t b, std::string_view what);
/// floor(x) as int64, range-checked before the conversion (casting a double outside int64's range
/// is undefined and in practice gives INT64_MIN): throws InputError naming `what` when x is not
/// finite or floor(x) is outside [-2^63, 2^63).
std::int64_t checkedFloor(long double x, std::string_view what);
/// x rounded to the nearest integer (halves away from zero), range-checked like checkedFloor.
std::int64_t checkedRound(long double x, std::string_view what);

}  // namespace kvscope

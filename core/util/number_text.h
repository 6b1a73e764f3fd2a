#pragma once
// Floating-point numbers in messages: the shortest decimal that reads back to the same value
// ("1e+300", "0.9", "nan"), never std::to_string's fixed six decimals (1e300 printed 301 digits,
// 1e-9 printed "0.000000").
#include <string>

namespace kvscope {

std::string numberText(double value);

}  // namespace kvscope

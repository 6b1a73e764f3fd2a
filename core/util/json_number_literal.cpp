// Numbers of JSON text: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

#include "core/util/json_literals.h"

namespace kvscope {

namespace {

/// The parts of a number literal, for exact integer detection.
struct NumberParts {
    bool negative = false;
    std::string_view int_digits;
    std::string_view frac_digits;
    std::int64_t exponent = 0;  // saturated at +-1e9
};

std::string_view digitsAt(const JsonCursor& cursor) {
    const std::string_view text = cursor.text();
    std::size_t end = cursor.pos();
    while (end < text.size() && isJsonDigit(text[end]))
        ++end;
    return text.substr(cursor.pos(), end - cursor.pos());
}

/// Decimal exponent of the first non-zero digit (0 for 1.5, -3 for 0.001, 999 for 1e999);
/// only its sign matters (it tells overflow from underflow), so saturation is harmless.
std::int64_t decimalMagnitude(const NumberParts& parts) {
    const std::size_t lead = parts.int_digits.find_first_not_of('0');
    if (lead != std::string_view::npos) {
        return std::int64_t(parts.int_digits.size() - lead) - 1 + parts.exponent;
    }
    const std::size_t frac_lead = parts.frac_digits.find_first_not_of('0');
    if (frac_lead == std::string_view::npos) return 0;
    return -std::int64_t(frac_lead) - 1 + parts.exponent;
}

/// The literal text[start, cursor) as a double; fails when its magnitude overflows.
double toDouble(JsonCursor& cursor, std::size_t start, const NumberParts& parts) {
    const char* first = cursor.text().data() + start;
    const char* last = cursor.text().data() + cursor.pos();
    double value = 0.0;
    const auto result = std::from_chars(first, last, value);
    if (result.ec == std::errc::result_out_of_range) {
        if (decimalMagnitude(parts) > 0) {
            const std::size_t shown = std::min<std::size_t>(std::size_t(last - first), 40);
            cursor.fail(start, "number " + std::string(first, shown) +
                                   " is out of the range of a double (about 1.8e308)");
        }
        return parts.negative ? -0.0 : 0.0;  // underflow rounds to zero, as IEEE 754 does
    }
    if (result.ec != std::errc() || result.ptr != last) {
        cursor.fail(start, "malformed number");  // not reached: the grammar was checked
    }
    return value;
}

/// Decides from the literal's digits (not the rounded double) whether the number is an integer,
/// and if int64 holds it, its exact value: 4096, 4096.0, 4.096e3 and -0 are integers. The digits
/// are int_digits then frac_digits, scaled by 10^(exponent - frac digits); nothing is allocated.
void setExactInteger(JsonNumber& number, const NumberParts& parts) {
    const std::size_t n_int = parts.int_digits.size();
    const std::size_t n = n_int + parts.frac_digits.size();
    const auto digit = [&](std::size_t i) {
        return i < n_int ? parts.int_digits[i] : parts.frac_digits[i - n_int];
    };
    std::size_t lead = 0;
    while (lead < n && digit(lead) == '0')
        ++lead;
    if (lead == n) {  // zero, however written
        number.integral = number.is_integer = true;
        number.integer = 0;
        return;
    }
    const std::int64_t shift = parts.exponent - std::int64_t(parts.frac_digits.size());
    std::size_t end = n;  // the digits kept: [lead, end)
    if (shift < 0) {
        const std::uint64_t dropped = std::uint64_t(-shift);
        if (dropped >= n - lead) return;  // every significant digit is after the point
        end = n - std::size_t(dropped);
        for (std::size_t i = end; i < n; ++i)
            if (digit(i) != '0') return;  // a non-zero digit after the decimal point
    }
    number.integral = true;
    constexpr std::int64_t kMaxInt64Digits = 19;
    const std::int64_t n_digits = std::int64_t(end - lead) + std::max<std::int64_t>(shift, 0);
    if (n_digits > kMaxInt64Digits) return;  // too many digits for int64
    std::uint64_t magnitude = 0;             // at most 19 digits: below 2^64
    for (std::size_t i = lead; i < end; ++i)
        magnitude = magnitude * 10 + std::uint64_t(digit(i) - '0');
    for (std::int64_t i = 0; i < shift; ++i)
        magnitude *= 10;
    constexpr auto kMaxPositive = std::uint64_t(std::numeric_limits<std::int64_t>::max());
    if (magnitude > kMaxPositive + (parts.negative ? 1 : 0)) return;
    number.is_integer = true;
    number.integer = parts.negative ? std::int64_t(0 - magnitude) : std::int64_t(magnitude);
}

}  // namespace

JsonNumber readJsonNumber(JsonCursor& cursor) {
    const std::size_t start = cursor.pos();
    NumberParts parts;
    if (cursor.peek() == '-') {
        parts.negative = true;
        cursor.advance();
        if (!isJsonDigit(cursor.peek())) {
            if (isJsonWordChar(cursor.peek())) {
                std::size_t end = cursor.pos();
                while (end < cursor.text().size() && isJsonWordChar(cursor.text()[end]))
                    ++end;
                failJsonWord(cursor, start, cursor.text().substr(start, end - start));
            }
            cursor.fail(cursor.pos(),
                        "expected a digit after '-', got " + cursor.describeAt(cursor.pos()));
        }
    }
    const std::string_view text = cursor.text();
    if (cursor.peek() == '0' && cursor.pos() + 1 < text.size() &&
        isJsonDigit(text[cursor.pos() + 1])) {
        cursor.fail(cursor.pos(), "leading zeros are not allowed in JSON numbers");
    }
    parts.int_digits = digitsAt(cursor);
    cursor.advance(parts.int_digits.size());
    if (cursor.peek() == '.') {
        cursor.advance();
        if (!isJsonDigit(cursor.peek())) {
            cursor.fail(cursor.pos(), "expected a digit after the decimal point, got " +
                                          cursor.describeAt(cursor.pos()));
        }
        parts.frac_digits = digitsAt(cursor);
        cursor.advance(parts.frac_digits.size());
    }
    const bool has_exponent = cursor.peek() == 'e' || cursor.peek() == 'E';
    if (has_exponent) {
        cursor.advance();
        const bool negative = cursor.peek() == '-';
        if (cursor.peek() == '+' || cursor.peek() == '-') cursor.advance();
        if (!isJsonDigit(cursor.peek())) {
            cursor.fail(cursor.pos(),
                        "expected a digit in the exponent, got " + cursor.describeAt(cursor.pos()));
        }
        for (; isJsonDigit(cursor.peek()); cursor.advance()) {
            parts.exponent =
                std::min<std::int64_t>(parts.exponent * 10 + (cursor.peek() - '0'), 1'000'000'000);
        }
        if (negative) parts.exponent = -parts.exponent;
    }
    JsonNumber number;
    number.negative = parts.negative;
    constexpr std::size_t kExactDigits = 18;  // below 10^18: int64 and the rounding are exact
    if (parts.frac_digits.empty() && !has_exponent && parts.int_digits.size() <= kExactDigits) {
        // A plain integer: its value directly, and its double as from_chars rounds it (the
        // nearest double to the same exact value).
        std::int64_t magnitude = 0;
        for (char c : parts.int_digits)
            magnitude = magnitude * 10 + (c - '0');
        number.integral = number.is_integer = true;
        number.integer = parts.negative ? -magnitude : magnitude;
        number.value = parts.negative ? -double(magnitude) : double(magnitude);
        return number;
    }
    number.value = toDouble(cursor, start, parts);
    setExactInteger(number, parts);
    return number;
}

}  // namespace kvscope

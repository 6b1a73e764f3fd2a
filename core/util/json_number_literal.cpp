// Numbers of JSON text: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
#include <algorithm>
#include <charconv>
#include <cstdint>
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
/// and if int64 holds it, its exact value: 4096, 4096.0, 4.096e3 and -0 are integers.
void setExactInteger(JsonNumber& number, const NumberParts& parts) {
    std::string digits(parts.int_digits);
    digits += parts.frac_digits;
    const std::size_t lead = digits.find_first_not_of('0');
    if (lead == std::string::npos) {  // zero, however written
        number.integral = number.is_integer = true;
        number.integer = 0;
        return;
    }
    digits.erase(0, lead);
    const std::int64_t shift = parts.exponent - std::int64_t(parts.frac_digits.size());
    if (shift < 0) {
        const std::size_t dropped = std::size_t(-shift);
        if (dropped >= digits.size() ||
            digits.find_first_not_of('0', digits.size() - dropped) != std::string::npos) {
            return;  // a non-zero digit after the decimal point
        }
        digits.resize(digits.size() - dropped);
    }
    number.integral = true;
    constexpr std::int64_t kMaxInt64Digits = 19;
    if (std::int64_t(digits.size()) + std::max<std::int64_t>(shift, 0) > kMaxInt64Digits) {
        return;  // too many digits for int64
    }
    if (shift > 0) digits.append(std::size_t(shift), '0');
    if (parts.negative) digits.insert(digits.begin(), '-');
    std::int64_t value = 0;
    const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (result.ec == std::errc() && result.ptr == digits.data() + digits.size()) {
        number.is_integer = true;
        number.integer = value;
    }
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
    if (cursor.peek() == 'e' || cursor.peek() == 'E') {
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
    number.literal = std::string(text.substr(start, cursor.pos() - start));
    number.value = toDouble(cursor, start, parts);
    setExactInteger(number, parts);
    return number;
}

}  // namespace kvscope

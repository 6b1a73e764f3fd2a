#include "app/cli/cli_args.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "core/util/error.h"

namespace kvscope::cli {

namespace {

const FlagSpec* findSpec(std::span<const FlagSpec> specs, std::string_view name) {
    for (const FlagSpec& spec : specs) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

[[noreturn]] void badValue(std::string_view flag, std::string_view expected, std::string_view text,
                           std::string_view why = {}) {
    std::string message = flagName(flag) + ": expected " + std::string(expected) + ", got '" +
                          std::string(text) + "'";
    if (!why.empty()) message += " (" + std::string(why) + ")";
    throw InputError(message);
}

bool allDigits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

/// Digits-only text to an integer of type T; "out of range" when it does not fit.
template <class T>
T parseDigits(std::string_view flag, std::string_view text, std::string_view expected) {
    if (!allDigits(text)) badValue(flag, expected, text);
    T number = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), number);
    if (result.ec == std::errc::result_out_of_range) badValue(flag, expected, text, "out of range");
    if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
        badValue(flag, expected, text);
    }
    return number;
}

/// A finite number that fits a float. Only plain decimal forms: [-]digits[.digits][e[+-]digits].
float parseFiniteFloat(std::string_view flag, std::string_view text, std::string_view expected) {
    if (text.empty()) badValue(flag, expected, text);
    for (char c : text) {  // rules out "nan", "inf", "infinity", hex floats and spaces
        const bool ok =
            (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
        if (!ok) badValue(flag, expected, text);
    }
    double number = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), number);
    if (result.ec == std::errc::result_out_of_range) badValue(flag, expected, text, "out of range");
    if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
        badValue(flag, expected, text);
    }
    if (!std::isfinite(number) || std::abs(number) > double(std::numeric_limits<float>::max())) {
        badValue(flag, expected, text, "out of range");
    }
    return float(number);
}

}  // namespace

std::string flagName(std::string_view name) {
    if (name.starts_with("--")) return std::string(name);
    return "--" + std::string(name);
}

void ParsedArgs::set(std::string_view name, std::string value) {
    m_values.insert_or_assign(std::string(name), std::move(value));
}

bool ParsedArgs::has(std::string_view name) const {
    return m_values.find(name) != m_values.end();
}

const std::string& ParsedArgs::value(std::string_view name) const {
    const auto it = m_values.find(name);
    if (it == m_values.end()) {
        throw InputError("missing required flag " + flagName(name));
    }
    return it->second;
}

std::optional<std::string> ParsedArgs::optionalValue(std::string_view name) const {
    const auto it = m_values.find(name);
    if (it == m_values.end()) return std::nullopt;
    return it->second;
}

ParsedArgs parseFlags(std::string_view command, std::span<const std::string> args,
                      std::span<const FlagSpec> specs, const ParseRules& rules) {
    const std::string see_help =
        " (see " +
        (rules.help_hint.empty() ? "kvscope-cli " + std::string(command) + " --help"
                                 : std::string(rules.help_hint)) +
        ")";
    ParsedArgs parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view word = args[i];
        const bool positional = !word.starts_with("-") || word == "-";
        if (positional && rules.max_positionals > 0) {
            if (parsed.positionals().size() >= rules.max_positionals) {
                const std::string limit = rules.max_positionals == 1
                                              ? "one " + std::string(rules.positional_name)
                                              : std::to_string(rules.max_positionals) + " " +
                                                    std::string(rules.positional_name) + "s";
                throw InputError(std::string(command) + ": unexpected argument '" +
                                 std::string(word) + "' (" + limit + " at most; already '" +
                                 parsed.positionals().back() + "')");
            }
            parsed.addPositional(std::string(word));
            continue;
        }
        if (word.size() < 3 || !word.starts_with("--")) {
            throw InputError(std::string(command) + ": unexpected argument '" + std::string(word) +
                             "'" + see_help);
        }
        const std::size_t equals = word.find('=');
        const std::string_view name = word.substr(2, equals == word.npos ? word.npos : equals - 2);
        const FlagSpec* spec = findSpec(specs, name);
        if (spec == nullptr) {
            throw InputError(std::string(command) + ": unknown flag '" + flagName(name) + "'" +
                             see_help);
        }
        if (parsed.has(name)) throw InputError(flagName(name) + ": given more than once");

        const bool takes_value = !spec->value_name.empty();
        if (!takes_value) {
            if (equals != word.npos) throw InputError(flagName(name) + ": takes no value");
            parsed.set(name, "");
            continue;
        }
        if (equals != word.npos) {
            parsed.set(name, std::string(word.substr(equals + 1)));
            continue;
        }
        if (i + 1 >= args.size() || args[i + 1].starts_with("--")) {
            throw InputError(flagName(name) + ": missing value (expected " +
                             std::string(spec->value_name) + ")");
        }
        parsed.set(name, args[++i]);
    }
    for (const FlagSpec& spec : specs) {
        if (spec.required && !parsed.has(spec.name)) {
            throw InputError(std::string(command) + ": missing required flag " +
                             flagName(spec.name) + " " + std::string(spec.value_name) + see_help);
        }
    }
    return parsed;
}

std::int64_t parsePositiveInt(std::string_view flag, std::string_view text) {
    constexpr std::string_view kExpected = "a positive integer";
    const auto number = parseDigits<std::int64_t>(flag, text, kExpected);
    if (number <= 0) badValue(flag, kExpected, text);
    return number;
}

std::int64_t parseNonNegativeInt(std::string_view flag, std::string_view text) {
    return parseDigits<std::int64_t>(flag, text, "a non-negative integer");
}

std::int64_t parseIntInRange(std::string_view flag, std::string_view text, std::int64_t min,
                             std::int64_t max) {
    const std::string expected =
        "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    const auto number = parseDigits<std::int64_t>(flag, text, expected);
    if (number < min || number > max) badValue(flag, expected, text);
    return number;
}

std::uint64_t parseUnsigned64(std::string_view flag, std::string_view text) {
    return parseDigits<std::uint64_t>(flag, text, "a non-negative integer below 2^64");
}

float parseNonNegativeFloat(std::string_view flag, std::string_view text) {
    constexpr std::string_view kExpected = "a finite number >= 0";
    const float number = parseFiniteFloat(flag, text, kExpected);
    if (number < 0.0f) badValue(flag, kExpected, text);
    return number;
}

float parseProbability(std::string_view flag, std::string_view text) {
    constexpr std::string_view kExpected = "a number in (0, 1]";
    const float number = parseFiniteFloat(flag, text, kExpected);
    if (!(number > 0.0f && number <= 1.0f)) badValue(flag, kExpected, text);
    return number;
}

}  // namespace kvscope::cli

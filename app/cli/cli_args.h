#pragma once
// Flag parsing for kvscope-cli commands: `--name VALUE`, `--name=VALUE` and boolean `--name`,
// checked against the command's flag list, plus strict parsers for numeric values. Every
// problem throws InputError whose message names the flag and the offending text, e.g.
// "--max-new-tokens: expected a positive integer, got '5x'" (the CLI exits 2 on it).
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope::cli {

struct FlagSpec {
    std::string_view name;        // without the leading "--"
    std::string_view value_name;  // shown in help ("N", "TEXT"); empty = a switch without value
    std::string_view help;
    bool required = false;
};

/// The flags given to one command, by name (without "--"); switches map to "".
class ParsedArgs {
public:
    void set(std::string_view name, std::string value);
    bool has(std::string_view name) const;
    /// The value of a flag that was given. Pre: has(name).
    const std::string& value(std::string_view name) const;
    std::optional<std::string> optionalValue(std::string_view name) const;
    /// The words that are not flags, in order (only where ParseRules::max_positionals allows).
    const std::vector<std::string>& positionals() const { return m_positionals; }
    void addPositional(std::string word) { m_positionals.push_back(std::move(word)); }

private:
    std::map<std::string, std::string, std::less<>> m_values;
    std::vector<std::string> m_positionals;
};

/// What a command line may hold besides its flags, and how its messages point to help.
struct ParseRules {
    std::size_t max_positionals = 0;  // words not starting with "--" (e.g. a file to open)
    std::string_view positional_name = "file";
    /// Where the messages send the reader; empty: "kvscope-cli COMMAND --help".
    std::string_view help_hint = {};
};

/// Parses `args` (the words after the command name) against `specs`. Throws InputError for an
/// unknown flag, a positional argument, a flag given twice, a missing value, a value given to a
/// switch, or a missing required flag. A value may not start with "--" unless written
/// `--name=--value`, so that `--prompt --json` reports the missing prompt.
ParsedArgs parseFlags(std::string_view command, std::span<const std::string> args,
                      std::span<const FlagSpec> specs, const ParseRules& rules = {});

/// "--" + name, the way messages spell a flag; a name already spelled "--name" is kept as it is.
std::string flagName(std::string_view name);

/// Decimal digits only (no sign, spaces or suffix), > 0, fits int64.
std::int64_t parsePositiveInt(std::string_view flag, std::string_view text);
/// Decimal digits only, >= 0, fits int64.
std::int64_t parseNonNegativeInt(std::string_view flag, std::string_view text);
/// A whole number in [min, max] (min >= 0): every count a flag takes has a documented range,
/// checked before any work. "--requests: expected an integer in [1, 100000], got '1000000'".
std::int64_t parseIntInRange(std::string_view flag, std::string_view text, std::int64_t min,
                             std::int64_t max);
/// Decimal digits only, fits uint64 (random seeds).
std::uint64_t parseUnsigned64(std::string_view flag, std::string_view text);
/// A finite decimal number that also fits a float (no NaN, no inf, no suffix), >= 0.
float parseNonNegativeFloat(std::string_view flag, std::string_view text);
/// A finite number in (0, 1].
float parseProbability(std::string_view flag, std::string_view text);

}  // namespace kvscope::cli

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "app/cli/cli_args.h"
#include "core/util/error.h"

using namespace kvscope::cli;
using Catch::Matchers::Contains;
using kvscope::InputError;

namespace {

constexpr FlagSpec kSpecs[] = {
    {"count", "N", "a count", true},
    {"name", "TEXT", "a name"},
    {"json", "", "a switch"},
};

ParsedArgs parse(const std::vector<std::string>& args) {
    return parseFlags("demo", args, kSpecs);
}

}  // namespace

TEST_CASE("parsePositiveInt accepts plain positive decimals only", "[cli][args]") {
    CHECK(parsePositiveInt("n", "1") == 1);
    CHECK(parsePositiveInt("n", "9223372036854775807") == INT64_MAX);
    for (const char* bad : {"", "0", "-1", "5x", " 5", "5 ", "+5", "1.5", "1e3", "0x10",
                            "99999999999999999999", "nan"}) {
        INFO(bad);
        CHECK_THROWS_WITH(
            parsePositiveInt("max-new-tokens", bad),
            "--max-new-tokens: expected a positive integer, got '" + std::string(bad) + "'" +
                (std::string(bad) == "99999999999999999999" ? " (out of range)" : ""));
    }
}

TEST_CASE("parseNonNegativeInt and parseUnsigned64 take zero and reject signs", "[cli][args]") {
    CHECK(parseNonNegativeInt("top-k", "0") == 0);
    CHECK(parseNonNegativeInt("top-k", "40") == 40);
    CHECK_THROWS_WITH(parseNonNegativeInt("top-k", "-1"), Contains("--top-k") && Contains("'-1'"));
    CHECK(parseUnsigned64("seed", "18446744073709551615") == UINT64_MAX);
    CHECK_THROWS_WITH(parseUnsigned64("seed", "18446744073709551616"),
                      Contains("--seed") && Contains("out of range"));
    CHECK_THROWS_AS(parseUnsigned64("seed", "-1"), InputError);
}

TEST_CASE("float flags reject NaN, infinities, junk and out-of-range values", "[cli][args]") {
    CHECK(parseNonNegativeFloat("temperature", "0") == 0.0f);
    CHECK(parseNonNegativeFloat("temperature", "0.7") == 0.7f);
    CHECK(parseNonNegativeFloat("temperature", "1e-3") == 1e-3f);
    for (const char* bad : {"-1", "nan", "NaN", "inf", "-inf", "infinity", "1e999", "1e39", "0x1p3",
                            "1.0.0", "0.5x", "", " 1", "abc"}) {
        INFO(bad);
        CHECK_THROWS_WITH(parseNonNegativeFloat("temperature", bad),
                          Contains("--temperature: expected a finite number >= 0, got '" +
                                   std::string(bad) + "'"));
    }
    CHECK(parseProbability("top-p", "1") == 1.0f);
    CHECK(parseProbability("top-p", "0.9") == 0.9f);
    for (const char* bad : {"0", "1.5", "-0.5", "nan", "1e-50", "1.0000001"}) {
        INFO(bad);
        CHECK_THROWS_WITH(
            parseProbability("top-p", bad),
            Contains("--top-p: expected a number in (0, 1], got '" + std::string(bad) + "'"));
    }
}

TEST_CASE("parseFlags reads values, switches and the --name=value form", "[cli][args]") {
    const ParsedArgs args = parse({"--count", "3", "--name=--odd value", "--json"});
    CHECK(args.value("count") == "3");
    CHECK(args.value("name") == "--odd value");
    CHECK(args.has("json"));
    CHECK_FALSE(parse({"--count=1"}).has("json"));
    CHECK(parse({"--count", "-1"}).value("count") == "-1");  // a negative number is a value
    CHECK(parse({"--count", "1", "--name", ""}).value("name").empty());
}

TEST_CASE("parseFlags names the flag in every error", "[cli][args]") {
    CHECK_THROWS_WITH(parse({"--count", "1", "--bogus"}),
                      Contains("unknown flag '--bogus'") && Contains("demo --help"));
    CHECK_THROWS_WITH(parse({"--count"}), Contains("--count: missing value"));
    CHECK_THROWS_WITH(parse({"--count", "--json"}), Contains("--count: missing value"));
    CHECK_THROWS_WITH(parse({"--count", "1", "--count", "2"}),
                      Contains("--count: given more than once"));
    CHECK_THROWS_WITH(parse({"--count", "1", "--json=yes"}), Contains("--json: takes no value"));
    CHECK_THROWS_WITH(parse({"--count", "1", "stray"}), Contains("unexpected argument 'stray'"));
    CHECK_THROWS_WITH(parse({"--count", "1", "-x"}), Contains("unexpected argument '-x'"));
    CHECK_THROWS_WITH(parse({"--json"}), Contains("missing required flag --count"));
    CHECK_THROWS_AS(parse({"--json"}), InputError);
}

#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/util/error.h"
#include "core/util/json_value.h"

using namespace kvscope;

namespace {

JsonValue parse(std::string_view text) {
    return parseJson(text, "t.json");
}

/// The InputError message parsing `text` gives; fails the test when it parses.
std::string parseError(std::string_view text, const JsonLimits& limits = {}) {
    try {
        parseJson(text, "t.json", limits);
    } catch (const InputError& error) {
        return error.what();
    }
    FAIL("parsed without an error: " << std::string(text.substr(0, 60)));
    return {};
}

/// The InputError message `access` throws; fails the test when it does not throw.
template <class Access>
std::string accessError(Access access) {
    try {
        access();
    } catch (const InputError& error) {
        return error.what();
    }
    FAIL("the access did not throw");
    return {};
}

}  // namespace

TEST_CASE("JSON reads every kind of value, keeping object key order", "[json]") {
    const JsonValue root = parse(R"({
  "z": null, "t": true, "f": false,
  "int": -42, "zero": -0, "real": 3.25, "exp": 2.5E-3, "big": 1e3,
  "s": "hi", "empty": [], "obj": {}, "list": [1, [2, {"k": "v"}]]
})");
    REQUIRE(root.isObject());
    std::vector<std::string> keys;
    for (const JsonMember& member : root.members())
        keys.push_back(member.key);
    REQUIRE(keys == std::vector<std::string>{"z", "t", "f", "int", "zero", "real", "exp", "big",
                                             "s", "empty", "obj", "list"});
    REQUIRE(root.at("z").isNull());
    REQUIRE(root.at("t").asBool());
    REQUIRE_FALSE(root.at("f").asBool());
    REQUIRE(root.at("int").asInt64() == -42);
    REQUIRE(root.at("zero").asInt64() == 0);
    REQUIRE(root.at("real").asDouble() == 3.25);
    REQUIRE_FALSE(root.at("real").isInteger());
    REQUIRE(root.at("exp").asDouble() == 0.0025);
    REQUIRE(root.at("big").asInt64() == 1000);  // an integer written with an exponent
    REQUIRE(root.at("s").asString() == "hi");
    REQUIRE(root.at("empty").size() == 0);
    REQUIRE(root.at("obj").size() == 0);
    REQUIRE(root.find("missing") == nullptr);
    const JsonValue& deep = root.at("list").at(1).at(1).at("k");
    REQUIRE(deep.asString() == "v");
    REQUIRE(deep.path() == "$.list[1][1].k");
    REQUIRE(deep.line() == 4);
    REQUIRE(deep.column() == 60);
    REQUIRE(deep.source() == "t.json");
    // Scalars at the top level, and whitespace around them.
    REQUIRE(parse(" \t\r\n 7 \n").asInt64() == 7);
    REQUIRE(parse("\"x\"").asString() == "x");
    REQUIRE(parse("null").isNull());
    // A UTF-8 byte order mark is skipped.
    REQUIRE(parse("\xEF\xBB\xBF{\"a\": 1}").at("a").asInt64() == 1);
}

TEST_CASE("JSON decodes every escape, surrogate pairs and raw UTF-8", "[json]") {
    REQUIRE(parse(R"("\"\\\/\b\f\n\r\t")").asString() == "\"\\/\b\f\n\r\t");
    REQUIRE(parse(R"("\u0041\u00e9\u20AC")").asString() == "A\xC3\xA9\xE2\x82\xAC");  // A é €
    REQUIRE(parse(R"("\uD83D\uDE00")").asString() == "\xF0\x9F\x98\x80");             // U+1F600
    REQUIRE(parse(R"("\uDBFF\uDFFF")").asString() == "\xF4\x8F\xBF\xBF");             // U+10FFFF
    const std::string nul = parse(R"("a\u0000b")").asString();
    REQUIRE(nul == std::string("a\0b", 3));
    REQUIRE(parse("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F\"").asString() ==
            "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F");
    // Keys that are not identifiers get bracket paths.
    const JsonValue odd = parse(R"({"a b": {"9x": [true]}})");
    REQUIRE(odd.at("a b").at("9x").at(0).path() == R"($["a b"]["9x"][0])");
}

TEST_CASE("JSON syntax errors name the line and column", "[json]") {
    struct Case {
        std::string text;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"", "JSON t.json: line 1, column 1: empty input"},
        {"  \n   ", "line 2, column 4: empty input"},
        {"\"abc", "line 1, column 5: unterminated string (it starts at line 1, column 1)"},
        {"[\"a\\qb\"]", "line 1, column 4: invalid escape '\\q'"},
        {"\"\\u12G4\"", "line 1, column 2: \\u must be followed by 4 hex digits, got 'G'"},
        {"\"\\uD800\"", "line 1, column 2: lone high surrogate \\uD800"},
        {"\"x\\uD800\\u0041\"",
         "line 1, column 3: lone high surrogate \\uD800 followed by \\u0041"},
        {"\"\\uDC00\"", "line 1, column 2: lone low surrogate \\uDC00"},
        {"\"\xFF\"", "line 1, column 2: invalid UTF-8: byte 0xFF never occurs in UTF-8"},
        {"\"\x80\"", "invalid UTF-8: unexpected continuation byte 0x80"},
        {"\"\xC0\xAF\"", "invalid UTF-8: overlong encoding (lead byte 0xC0)"},
        {"\"\xE0\x80\x80\"", "invalid UTF-8: overlong encoding (bytes 0xE0 0x80)"},
        {"\"\xED\xA0\x80\"", "invalid UTF-8: encoded surrogate U+D800-U+DFFF"},
        {"\"\xF4\x90\x80\x80\"", "invalid UTF-8: code point above U+10FFFF"},
        {"\"ab\xE2\x82\"", "line 1, column 4: invalid UTF-8: truncated sequence"},
        {"\"a\tb\"", "line 1, column 3: unescaped control character U+0009"},
        {"\"a\nb\"", "line 1, column 3: unescaped control character U+000A"},
        {"01", "line 1, column 1: leading zeros are not allowed"},
        {"[1, -02]", "line 1, column 6: leading zeros are not allowed"},
        {"1.", "line 1, column 3: expected a digit after the decimal point, got end of input"},
        {"-", "line 1, column 2: expected a digit after '-', got end of input"},
        {".5", "line 1, column 1: a number must start with a digit (write 0.5, not .5)"},
        {"+1", "line 1, column 1: a number must not start with '+'"},
        {"1e", "line 1, column 3: expected a digit in the exponent"},
        {"1e+", "line 1, column 4: expected a digit in the exponent"},
        {"[1,2,]", "line 1, column 6: trailing comma before ']'"},
        {"{\"a\":1,}", "line 1, column 8: trailing comma before '}'"},
        {"{\"a\":1,\"a\":2}", "line 1, column 8: duplicate key \"a\" (first at line 1, column 2)"},
        {"{\n  \"x\": 1,\n  \"y\": {},\n  \"x\": 2\n}",
         "line 4, column 3: duplicate key \"x\" (first at line 2, column 3)"},
        {"NaN", "line 1, column 1: 'NaN' is not valid JSON: numbers must be finite"},
        {"[1, -Infinity]", "line 1, column 5: '-Infinity' is not valid JSON"},
        {"{\"x\": Infinity}", "line 1, column 7: 'Infinity' is not valid JSON"},
        {"True", "'True' is not a JSON literal; JSON spells them true, false and null"},
        {"tru", "line 1, column 1: unexpected 'tru'; expected a JSON value"},
        {"{} x", "line 1, column 4: unexpected 'x' after the JSON value"},
        {"[1] [2]", "line 1, column 5: unexpected '[' after the JSON value"},
        {"1e999", "line 1, column 1: number 1e999 is out of the range of a double"},
        {"-1.8e308", "number -1.8e308 is out of the range of a double"},
        {"['a']", "line 1, column 2: single quotes are not JSON"},
        {"// note\n1", "line 1, column 1: comments are not allowed in JSON"},
        {"[1 2]", "line 1, column 4: expected ',' or ']' after an array item, got '2'"},
        {"{\"a\" 1}", "line 1, column 6: expected ':' after the key \"a\", got '1'"},
        {"{1: 2}", "line 1, column 2: expected an object key in double quotes, got '1'"},
        {"{\"a\": 1 \"b\": 2}", "expected ',' or '}' after an object member, got '\"'"},
        {"[", "line 1, column 2: unexpected end of input; expected a JSON value"},
        {"[1", "line 1, column 3: expected ',' or ']' after an array item, got end of input"},
        {std::string("[1,\0]", 5), "line 1, column 4: unexpected byte 0x00"},
        // Columns count characters: 'é' is one column although it is two bytes.
        {"[\"\xC3\xA9\", ]", "line 1, column 7: trailing comma before ']'"},
        {"[\r\n1,\r\n]", "line 3, column 1: trailing comma before ']'"},
        {"\xEF\xBB\xBF x", "line 1, column 2: unexpected 'x'"},
    };
    for (const Case& c : cases) {
        INFO("input: " << c.text);
        REQUIRE_THAT(parseError(c.text), Catch::Contains(c.expected));
    }
}

TEST_CASE("JSON rejects a depth bomb with a clear error instead of overflowing the stack",
          "[json]") {
    const std::string bomb(100000, '[');
    REQUIRE_THAT(parseError(bomb), Catch::Contains("line 1, column 257: arrays and objects nest "
                                                   "deeper than 256 levels"));
    std::string objects;
    for (int i = 0; i < 100000; ++i)
        objects += "{\"a\":";
    REQUIRE_THAT(parseError(objects), Catch::Contains("deeper than 256 levels"));
    // Exactly at the limit parses; one more level does not.
    const std::string deepest = std::string(256, '[') + std::string(256, ']');
    REQUIRE(parse(deepest).isArray());
    REQUIRE_THAT(parseError(std::string(257, '[') + std::string(257, ']')),
                 Catch::Contains("column 257"));
    JsonLimits shallow;
    shallow.max_depth = 2;
    REQUIRE(parseJson("[[1]]", "t.json", shallow).at(0).at(0).asInt64() == 1);
    REQUIRE_THAT(parseError("[[[1]]]", shallow), Catch::Contains("column 3: arrays and objects "
                                                                 "nest deeper than 2 levels"));
}

TEST_CASE("JSON integers are exact and int64 access checks its bounds", "[json]") {
    const JsonValue root = parse(R"({"max": 9223372036854775807, "min": -9223372036854775808,
        "over": 9223372036854775808, "under": -9223372036854775809, "half": 1.5,
        "whole": 4096.0, "sci": 4.096e3, "tiny": 1.0000000000000000001, "huge": 1e300,
        "beyond53": 9007199254740993, "under_flow": 1e-400, "str": "32"})");
    REQUIRE(root.at("max").asInt64() == 9223372036854775807LL);
    REQUIRE(root.at("min").asInt64() == -9223372036854775807LL - 1);
    REQUIRE(root.at("whole").asInt64() == 4096);
    REQUIRE(root.at("sci").asInt64() == 4096);
    REQUIRE(root.at("beyond53").asInt64() == 9007199254740993LL);  // not rounded through double
    REQUIRE(root.at("under_flow").asDouble() == 0.0);              // underflow rounds to zero
    REQUIRE_FALSE(root.at("over").isInteger());
    REQUIRE(root.at("over").asDouble() == 9223372036854775808.0);
    const auto error = [&](const char* key) {
        return accessError([&] { (void)root.at(key).asInt64(); });
    };
    REQUIRE_THAT(error("over"),
                 Catch::Contains("$.over (line 2, column 17): the number 9223372036854775808 is "
                                 "outside the 64-bit integer range"));
    REQUIRE_THAT(error("under"), Catch::Contains("-9223372036854775809 is outside the 64-bit"));
    REQUIRE_THAT(error("half"), Catch::Contains("$.half (line 2, column 77): expected an integer, "
                                                "got the number 1.5"));
    REQUIRE_THAT(error("tiny"),
                 Catch::Contains("expected an integer, got the number 1.0000000000000000001"));
    REQUIRE_THAT(error("huge"), Catch::Contains("1e300 is outside the 64-bit integer range"));
    REQUIRE_THAT(error("str"),
                 Catch::Contains("JSON t.json: $.str (line 4, column 68): expected an integer, got "
                                 "the string \"32\""));
}

TEST_CASE("JSON accessors name the path of what is missing or of the wrong kind", "[json]") {
    const JsonValue root = parse(R"({"layers": [{"name": "a"}, {"name": 7}], "n": null})");
    REQUIRE_THAT(accessError([&] { (void)root.at("layers").at(1).at("name").asString(); }),
                 Catch::Contains("JSON t.json: $.layers[1].name (line 1, column 37): expected a "
                                 "string, got the number 7"));
    REQUIRE_THAT(accessError([&] { (void)root.at("layers").at(5); }),
                 Catch::Contains("$.layers (line 1, column 12): index 5 is out of range (the array "
                                 "has 2 items)"));
    REQUIRE_THAT(accessError([&] { (void)root.at("layers").at(0).at("id"); }),
                 Catch::Contains("$.layers[0] (line 1, column 13): missing key \"id\""));
    REQUIRE_THAT(accessError([&] { (void)root.at("n").asBool(); }),
                 Catch::Contains("$.n (line 1, column 47): expected true or false, got null"));
    REQUIRE_THAT(accessError([&] { (void)root.at("layers").find("x"); }),
                 Catch::Contains("expected an object, got an array of 2 items"));
    REQUIRE_THAT(accessError([&] { (void)root.members().at(0).value.asDouble(); }),
                 Catch::Contains("expected a number, got an array of 2 items"));
    REQUIRE_THAT(accessError([&] { (void)root.at("n").size(); }),
                 Catch::Contains("expected an array or an object, got null"));
    // Long strings are cut in messages.
    const JsonValue long_string = parse("\"" + std::string(100, 'x') + "\"");
    REQUIRE_THAT(accessError([&] { (void)long_string.asInt64(); }),
                 Catch::Contains("got the string \"" + std::string(40, 'x') + "...\""));
}

TEST_CASE("JSON object lookup finds every key among many", "[json]") {
    std::string text = "{";
    for (int i = 999; i >= 0; --i) {
        text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + (i > 0 ? "," : "}");
    }
    const JsonValue root = parse(text);
    REQUIRE(root.size() == 1000);
    REQUIRE(root.members().front().key == "k999");  // document order kept
    for (int i = 0; i < 1000; ++i) {
        const std::string key = std::string("k").append(std::to_string(i));
        REQUIRE(root.at(key).asInt64() == i);
    }
    REQUIRE(root.find("k1000") == nullptr);
}

TEST_CASE("JSON files: missing, too large, and read with the path as the source", "[json]") {
    REQUIRE_THAT(accessError([] { (void)parseJsonFile("/nonexistent/kvscope.json", 1024); }),
                 Catch::Contains("JSON /nonexistent/kvscope.json: no such file"));
    REQUIRE_THAT(accessError([] { (void)parseJsonFile("/", 1024); }),
                 Catch::Contains("not a regular file"));
    const std::string fixture = std::string(KVSCOPE_TEST_DATA_DIR) + "/hf/gpt2.json";
    REQUIRE_THAT(accessError([&] { (void)parseJsonFile(fixture, 100); }),
                 Catch::Contains("more than the limit of 100 bytes"));
    const JsonValue gpt2 = parseJsonFile(fixture, 1 << 20);
    REQUIRE(gpt2.at("n_embd").asInt64() == 768);
    REQUIRE(gpt2.at("n_embd").source() == fixture);
}

TEST_CASE("JSON values copied out of a document keep it alive; paths are found on demand",
          "[json]") {
    JsonValue kept;
    JsonValue number;
    {
        const JsonValue root = parse(R"({"a": [1, {"k": "v", "n": [2.5, -0]}], "b c": {"d": []}})");
        kept = root.at("a").at(1);  // a copy: the document outlives root
        number = root.at("a").at(1).at("n").at(1);
    }
    REQUIRE(kept.at("k").asString() == "v");
    REQUIRE(kept.path() == "$.a[1]");
    REQUIRE(kept.line() == 1);
    REQUIRE(kept.column() == 11);
    REQUIRE(kept.at("n").at(0).asDouble() == 2.5);
    REQUIRE(kept.at("n").at(0).path() == "$.a[1].n[0]");
    REQUIRE(number.asInt64() == 0);
    REQUIRE(std::signbit(number.asDouble()));  // -0 keeps its sign
    REQUIRE(number.describe() == "the number -0");
    REQUIRE_THAT(accessError([&] { (void)number.asString(); }),
                 Catch::Contains("JSON t.json: $.a[1].n[1] (line 1, column 33): expected a string, "
                                 "got the number -0"));
    JsonValue moved = std::move(kept);
    REQUIRE(moved.at("k").path() == "$.a[1].k");
    REQUIRE(kept.isNull());  // NOLINT(bugprone-use-after-move): a moved-from value is null
    // Every value's path, from a text with nesting, odd keys and empty containers.
    const JsonValue root = parse(
        "{\"x\": {\"y\": [[], [0, {\"z\": null, \"9\": [true]}]]}, "
        "\"e\": {}, \"s\": \"t\"}");
    REQUIRE(root.path() == "$");
    REQUIRE(root.at("x").at("y").at(0).path() == "$.x.y[0]");
    REQUIRE(root.at("x").at("y").at(1).at(1).at("z").path() == "$.x.y[1][1].z");
    REQUIRE(root.at("x").at("y").at(1).at(1).at("9").at(0).path() == R"($.x.y[1][1]["9"][0])");
    REQUIRE(root.at("e").path() == "$.e");
    REQUIRE(root.at("s").path() == "$.s");
    // items() and members() are spans over the document.
    const JsonItems items = root.at("x").at("y").at(1).items();
    REQUIRE(items.size() == 2);
    REQUIRE(items.front().asInt64() == 0);
    REQUIRE(items.back().isObject());
    REQUIRE(root.at("x").at("y").at(0).items().empty());
    REQUIRE(root.members().size() == 3);
    REQUIRE(root.members()[2].key == "s");
    REQUIRE_THROWS_AS(root.members().at(3), std::out_of_range);
    // A value not read from text.
    const JsonValue null;
    REQUIRE(null.path() == "$");
    REQUIRE(null.line() == 0);
    REQUIRE_THAT(accessError([&] { (void)null.asBool(); }),
                 Catch::Contains("JSON <built in code>: $: expected true or false, got null"));
}

TEST_CASE("JSON commas without values are refused where they stand", "[json]") {
    REQUIRE_THAT(parseError("[,]"), Catch::Contains("line 1, column 2: unexpected ','"));
    REQUIRE_THAT(parseError("[1,,2]"), Catch::Contains("line 1, column 4: unexpected ','"));
    REQUIRE_THAT(parseError("[" + std::string(100000, ',') + "]"),
                 Catch::Contains("line 1, column 2: unexpected ','"));
    REQUIRE_THAT(parseError("{\"a\":1,,\"b\":2}"),
                 Catch::Contains("line 1, column 8: expected an object key in double quotes, got "
                                 "','"));
    REQUIRE_THAT(parseError("{,}"), Catch::Contains("column 2: expected an object key"));
    REQUIRE_THAT(parseError("[\"a,b\" \"c\"]"),
                 Catch::Contains("column 8: expected ',' or ']' after an array item"));
    REQUIRE_THAT(parseError("[[1,2],[3,4] x]"), Catch::Contains("column 14: expected ',' or ']'"));
    REQUIRE(parse("[\"[,{\", \"\\\"],\", [[], {}], {\"k\": [1, [2, 3]]}]").size() == 4);
}

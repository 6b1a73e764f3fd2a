#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "core/util/json_writer.h"
#include "json_value.h"

using kvscope::JsonWriter;

namespace {

std::string jsonString(std::string_view text) {
    std::string out;
    kvscope::appendJsonString(out, text);
    return out;
}

std::string jsonNumber(double number) {
    std::string out;
    kvscope::appendJsonNumber(out, number);
    return out;
}

}  // namespace

TEST_CASE("JsonWriter nests objects and arrays with commas in the right places", "[cli][json]") {
    std::ostringstream out;
    JsonWriter json(out);
    CHECK_FALSE(json.complete());
    json.beginObject();
    json.key("a").beginArray().value(1).beginObject().field("b", true).endObject();
    json.null().endArray();
    json.field("c", "x");
    json.key("d").beginObject().endObject();
    json.key("e").beginArray().endArray();
    json.endObject();
    CHECK(json.complete());
    CHECK(out.str() == R"({"a":[1,{"b":true},null],"c":"x","d":{},"e":[]})");
    CHECK_NOTHROW(kvscope::test::parseJson(out.str()));
}

TEST_CASE("JsonWriter escapes quotes, backslashes and control characters", "[cli][json]") {
    CHECK(jsonString("say \"hi\"") == R"("say \"hi\"")");
    CHECK(jsonString("a\\b") == R"("a\\b")");
    CHECK(jsonString("\n\t\r\b\f") == R"("\n\t\r\b\f")");
    CHECK(jsonString(std::string_view("\0\x01\x1f", 3)) == R"("\u0000\u0001\u001f")");
    CHECK(jsonString("\x7f") == R"("\u007f")");
    CHECK(jsonString("a/b </script>") == R"("a/b </script>")");
    const std::string nasty("x\"\\\n\x02y", 6);
    CHECK(kvscope::test::parseJson(jsonString(nasty)).string == nasty);
}

TEST_CASE("JsonWriter copies valid UTF-8 and replaces ill-formed bytes", "[cli][json]") {
    const std::string valid = "caf\xc3\xa9 \xe2\x96\x81the \xf0\x9f\x98\x80";  // café ▁the 😀
    CHECK(jsonString(valid) == "\"" + valid + "\"");
    CHECK(kvscope::test::parseJson(jsonString(valid)).string == valid);

    CHECK(jsonString("\xff") == R"("\ufffd")");
    CHECK(jsonString("a\xc3") == R"("a\ufffd")");  // truncated at the end
    CHECK(jsonString("\xe2\x82"
                     "A") == R"("\ufffdA")");              // truncated: one maximal subpart
    CHECK(jsonString("\xc0\xaf") == R"("\ufffd\ufffd")");  // overlong '/'
    CHECK(jsonString("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");            // a UTF-16 surrogate
    CHECK(jsonString("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
    CHECK(jsonString("\x80x") == R"("\ufffdx")");  // stray continuation byte
    // Every byte string comes out as JSON a strict reader accepts.
    std::string all_bytes;
    for (int b = 0; b < 256; ++b)
        all_bytes += char(b);
    CHECK_NOTHROW(kvscope::test::parseJson(jsonString(all_bytes)));
}

TEST_CASE("JsonWriter writes numbers that read back to the same value", "[cli][json]") {
    const double samples[] = {0.0,    0.1,     1.0 / 3.0,   -2.5e-8, 1e-300,
                              5e-324, DBL_MAX, 123456789.0, 1e21,    -0.0};
    for (double x : samples) {
        const std::string text = jsonNumber(x);
        INFO(text);
        CHECK(std::strtod(text.c_str(), nullptr) == x);
        CHECK(kvscope::test::parseJson(text).number == x);
    }
    std::string f;
    kvscope::appendJsonNumber(f, 0.1f);
    CHECK(f == "0.1");  // shortest form of the float, not of the widened double

    std::ostringstream out;
    JsonWriter json(out);
    json.beginArray()
        .value(std::numeric_limits<std::int64_t>::min())
        .value(std::numeric_limits<std::int64_t>::max())
        .value(std::numeric_limits<std::uint64_t>::max())
        .value(std::int32_t(-7))
        .value(false)
        .endArray();
    CHECK(out.str() == "[-9223372036854775808,9223372036854775807,18446744073709551615,-7,false]");
}

TEST_CASE("JsonWriter writes NaN and infinities as null", "[cli][json]") {
    CHECK(jsonNumber(std::nan("")) == "null");
    CHECK(jsonNumber(HUGE_VAL) == "null");
    CHECK(jsonNumber(-HUGE_VAL) == "null");
    std::ostringstream out;
    JsonWriter(out).beginObject().field("x", std::numeric_limits<float>::quiet_NaN()).endObject();
    CHECK(out.str() == R"({"x":null})");
}

TEST_CASE("JsonWriter rejects calls that would not make one JSON value", "[cli][json]") {
    std::ostringstream out;
    SECTION("a value in an object without a key") {
        JsonWriter json(out);
        json.beginObject();
        CHECK_THROWS_AS(json.value(1), std::logic_error);
    }
    SECTION("closing the wrong container") {
        JsonWriter json(out);
        json.beginObject();
        CHECK_THROWS_AS(json.endArray(), std::logic_error);
        JsonWriter other(out);
        CHECK_THROWS_AS(other.endObject(), std::logic_error);
    }
    SECTION("a key outside an object, or two keys in a row") {
        JsonWriter json(out);
        json.beginArray();
        CHECK_THROWS_AS(json.key("k"), std::logic_error);
        JsonWriter other(out);
        other.beginObject().key("a");
        CHECK_THROWS_AS(other.key("b"), std::logic_error);
        CHECK_THROWS_AS(other.endObject(), std::logic_error);
    }
    SECTION("a second top-level value") {
        JsonWriter json(out);
        json.value(1);
        CHECK(json.complete());
        CHECK_THROWS_AS(json.value(2), std::logic_error);
    }
}

TEST_CASE("the test JSON reader rejects what RFC 8259 rejects", "[cli][json]") {
    using kvscope::test::parseJson;
    CHECK_THROWS(parseJson("{\"a\":1,}"));
    CHECK_THROWS(parseJson("[1,]"));
    CHECK_THROWS(parseJson("01"));
    CHECK_THROWS(parseJson("NaN"));
    CHECK_THROWS(parseJson("\"a\nb\""));
    CHECK_THROWS(parseJson("{} x"));
    CHECK_THROWS(parseJson("\"\xff\""));
    CHECK(parseJson(" {\"a\": [1, 2.5e3, \"\\u00e9\"]} ")["a"][2].string == "\xc3\xa9");
}

#include <catch2/catch.hpp>

#include "core/model/tokenizer.h"

using namespace kvscope;

TEST_CASE("Byte tokenizer maps each byte to 3 + byte and back", "[tokenizer]") {
    ByteTokenizer tok;
    const std::string text = "Hi \xE2\x96\x81\n\x00!";
    const auto ids = tok.encode(std::string_view(text.data(), text.size()));
    REQUIRE(ids.size() == text.size());
    REQUIRE(ids[0] == 3 + 'H');
    std::string back;
    for (TokenId id : ids)
        back += tok.decode(id);
    REQUIRE(back == text);
    REQUIRE(tok.encode("").empty());
}

TEST_CASE("Byte tokenizer labels are readable", "[tokenizer]") {
    ByteTokenizer tok;
    REQUIRE(tok.label(tok.bos()) == "<s>");
    REQUIRE(tok.label(tok.eos()) == "</s>");
    REQUIRE(tok.label(0) == "<unk>");
    REQUIRE(tok.label(3 + 'a') == "a");
    REQUIRE(tok.label(3 + ' ') == "\xE2\x96\x81");
    REQUIRE(tok.label(3 + '\n') == "<0x0A>");
    REQUIRE(tok.label(3 + 0xFF) == "<0xFF>");
    REQUIRE(tok.label(9999) == "<invalid:9999>");
    REQUIRE(tok.decode(tok.bos()).empty());
    REQUIRE(tok.isSpecial(tok.eos()));
    REQUIRE_FALSE(tok.isSpecial(3));
    REQUIRE(tok.vocabSize() == 259);
}

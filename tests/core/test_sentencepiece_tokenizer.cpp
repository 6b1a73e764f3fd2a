#include <catch2/catch.hpp>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "core/model/detokenize.h"
#include "core/model/gguf_model.h"
#include "core/model/sentencepiece_tokenizer.h"
#include "core/util/error.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/test_util.h"

using namespace kvscope;

namespace {

const std::string kSp = "\xE2\x96\x81";  // "▁"

std::string bytePieceText(unsigned byte) {
    char piece[8];
    std::snprintf(piece, sizeof piece, "<0x%02X>", byte);
    return piece;
}

// A vocabulary small enough to work every expectation out by hand. Single characters score
// -100 (they never compete: only merged pieces' scores matter); merged pieces, best first:
//   ll -1, he -2, llo -3, ▁t -4, ▁the -5, hello -6, ▁hello -7, 12 -8, xy -9, yx -9,
//   bc -10, ab -20.
// "3" and "é" are not pieces: they fall back to bytes.
std::vector<VocabEntry> handVocab(bool with_bytes = true) {
    std::vector<VocabEntry> v{{"<unk>", 0.0f, TokenType::Unknown},
                              {"<s>", 0.0f, TokenType::Control},
                              {"</s>", 0.0f, TokenType::Control}};
    if (with_bytes) {
        for (unsigned b = 0; b < 256; ++b)
            v.push_back({bytePieceText(b), 0.0f, TokenType::Byte});
    }
    for (const std::string& c :
         {kSp, std::string("a"), std::string("b"), std::string("c"), std::string("d"),
          std::string("e"), std::string("h"), std::string("l"), std::string("o"), std::string("t"),
          std::string("w"), std::string("r"), std::string(","), std::string("!"), std::string("1"),
          std::string("2"), std::string("x"), std::string("y"), std::string("\xC3\xBC")})
        v.push_back({c, -100.0f, TokenType::Normal});
    const std::pair<std::string, float> merged[] = {
        {"ll", -1},        {"he", -2},    {"llo", -3},         {kSp + "t", -4},
        {kSp + "the", -5}, {"hello", -6}, {kSp + "hello", -7}, {"12", -8},
        {"xy", -9},        {"yx", -9},    {"bc", -10},         {"ab", -20}};
    for (const auto& [piece, score] : merged)
        v.push_back({piece, score, TokenType::Normal});
    return v;
}

SentencePieceTokenizer handTokenizer(bool add_space_prefix = true) {
    return SentencePieceTokenizer(handVocab(), 1, 2, 0, add_space_prefix);
}

// Ids of `pieces` in handVocab(); "<0xNN>" names a byte token.
std::vector<TokenId> ids(std::initializer_list<std::string> pieces) {
    const std::vector<VocabEntry> vocab = handVocab();
    std::vector<TokenId> out;
    for (const std::string& piece : pieces) {
        TokenId found = -1;
        for (std::size_t id = 0; id < vocab.size() && found < 0; ++id) {
            if (vocab[id].piece == piece) found = TokenId(id);
        }
        if (found < 0) FAIL("test bug: no piece '" << piece << "' in the hand vocabulary");
        out.push_back(found);
    }
    return out;
}

std::string decodeAll(const Tokenizer& tok, const std::vector<TokenId>& tokens) {
    std::string text;
    for (TokenId id : tokens)
        text += tok.decode(id);
    return text;
}

using test::inputErrorOf;

}  // namespace

TEST_CASE("SentencePiece encodes plain words by merging the best pairs", "[tokenizer]") {
    const auto tok = handTokenizer();
    // ▁ h e l l o: ll (-1), he (-2), llo (-3), hello (-6), ▁hello (-7).
    CHECK(tok.encode("hello") == ids({kSp + "hello"}));
    // ▁ t h e: he (-2), ▁t (-4), ▁the (-5).
    CHECK(tok.encode("the") == ids({kSp + "the"}));
    CHECK(tok.encode("hello the") == ids({kSp + "hello", kSp + "the"}));
    CHECK(tok.encode("the hello") == ids({kSp + "the", kSp + "hello"}));
}

TEST_CASE("SentencePiece keeps leading, trailing and repeated spaces", "[tokenizer]") {
    const auto tok = handTokenizer();
    CHECK(tok.encode(" hello") == ids({kSp, kSp + "hello"}));
    CHECK(tok.encode("hello ") == ids({kSp + "hello", kSp}));
    CHECK(tok.encode("the  hello") == ids({kSp + "the", kSp, kSp + "hello"}));
    CHECK(tok.encode(" ") == ids({kSp, kSp}));
}

TEST_CASE("SentencePiece punctuation and digits", "[tokenizer]") {
    const auto tok = handTokenizer();
    CHECK(tok.encode("hello, world!") ==
          ids({kSp + "hello", ",", kSp, "w", "o", "r", "l", "d", "!"}));
    // "3" is no piece: byte fallback even for ASCII.
    CHECK(tok.encode("12 3") == ids({kSp, "12", kSp, "<0x33>"}));
}

TEST_CASE("SentencePiece falls back to bytes for characters it lacks", "[tokenizer]") {
    const auto tok = handTokenizer();
    CHECK(tok.encode("\xC3\xA9") == ids({kSp, "<0xC3>", "<0xA9>"}));  // é
    CHECK(tok.encode("\xF0\x9F\x98\x80") ==                           // 😀
          ids({kSp, "<0xF0>", "<0x9F>", "<0x98>", "<0x80>"}));
    CHECK(tok.encode("\xC3\xBC") == ids({kSp, "\xC3\xBC"}));  // ü is a piece
    CHECK(tok.encode("a\xC3\xBC"
                     "b") == ids({kSp, "a", "\xC3\xBC", "b"}));
    CHECK(tok.encode("\n") == ids({kSp, "<0x0A>"}));
}

TEST_CASE("SentencePiece reads invalid UTF-8 as llama.cpp does", "[tokenizer]") {
    // llama.cpp takes a character's length from its lead byte alone (unicode_len_utf8), so a
    // lead byte swallows what follows it; that character is no piece and falls back to bytes
    // (tests/data/tokenizer/spm-*.golden: llama.cpp's own ids for such texts).
    const auto tok = handTokenizer();
    CHECK(tok.encode("\xC3"
                     "a") == ids({kSp, "<0xC3>", "<0x61>"}));  // lead byte without continuation
    CHECK(tok.encode("\x80"
                     "b") == ids({kSp, "<0x80>", "b"}));  // stray continuation byte
    CHECK(tok.encode("\xE2\x96"
                     "x") == ids({kSp, "<0xE2>", "<0x96>", "<0x78>"}));  // cut "▁"
    CHECK(tok.encode("\xC0\xAF") == ids({kSp, "<0xC0>", "<0xAF>"}));     // overlong
    CHECK(tok.encode("\xFF") == ids({kSp, "<0xFF>"}));
    CHECK(tok.encode("hello\xF0\x9F") == ids({kSp + "hello", "<0xF0>", "<0x9F>"}));  // cut at end
}

TEST_CASE("SentencePiece merges the highest score first, not the leftmost pair", "[tokenizer]") {
    const auto tok = handTokenizer();
    CHECK(tok.encode("ab") == ids({kSp, "ab"}));
    // ab (-20) and bc (-10) compete for b: bc wins, and "abc" is no piece.
    CHECK(tok.encode("abc") == ids({kSp, "a", "bc"}));
    // The second "ab" has no competitor and still merges.
    CHECK(tok.encode("abcab") == ids({kSp, "a", "bc", "ab"}));
}

TEST_CASE("SentencePiece breaks score ties by the leftmost pair", "[tokenizer]") {
    const auto tok = handTokenizer();
    CHECK(tok.encode("xyx") == ids({kSp, "xy", "x"}));
    CHECK(tok.encode("yxy") == ids({kSp, "yx", "y"}));
    // x y x y: xy, yx, xy tie; the left xy merges, the middle yx goes stale, the right xy merges.
    CHECK(tok.encode("xyxy") == ids({kSp, "xy", "xy"}));
}

TEST_CASE("SentencePiece encodes the empty text as no tokens", "[tokenizer]") {
    CHECK(handTokenizer().encode("").empty());
    CHECK(handTokenizer(false).encode("").empty());
}

TEST_CASE("SentencePiece without the space prefix", "[tokenizer]") {
    const auto tok = handTokenizer(false);
    CHECK(tok.encode("hello") == ids({"hello"}));
    CHECK(tok.encode(" hello") == ids({kSp + "hello"}));
    CHECK(tok.encode("hello the") == ids({"hello", kSp + "the"}));
}

TEST_CASE("SentencePiece decode round-trips encode", "[tokenizer]") {
    const auto tok = handTokenizer();
    const std::string texts[] = {"hello the",
                                 "hello, world!",
                                 " the  hello ",
                                 "\xC3\xA9 \xF0\x9F\x98\x80 \xC3\xBC",
                                 "12 3\n\t",
                                 "\xC3"
                                 "a\x80\xFF",
                                 "xyxy abcab"};
    for (const std::string& text : texts) {
        INFO("text: " << text);
        CHECK(decodeAll(tok, tok.encode(text)) == " " + text);
        CHECK(decodeAll(handTokenizer(false), handTokenizer(false).encode(text)) == text);
    }
}

TEST_CASE("SentencePiece decode maps markers, bytes and control tokens", "[tokenizer]") {
    const auto tok = handTokenizer();
    CHECK(tok.decode(ids({kSp + "hello"})[0]) == " hello");
    CHECK(tok.decode(ids({kSp})[0]) == " ");
    CHECK(tok.decode(ids({"<0x0A>"})[0]) == "\n");
    CHECK(tok.decode(ids({"<0x00>"})[0]) == std::string(1, '\0'));
    CHECK(tok.decode(ids({"<0xE2>"})[0]) == "\xE2");
    CHECK(tok.decode(tok.bos()).empty());
    CHECK(tok.decode(tok.eos()).empty());
    CHECK(tok.decode(0).empty());
    CHECK(tok.decode(-1).empty());
    CHECK(tok.decode(TokenId(tok.vocabSize())).empty());
}

TEST_CASE("SentencePiece labels are readable and never empty", "[tokenizer]") {
    const auto tok = handTokenizer();
    CHECK(tok.label(ids({kSp + "the"})[0]) == kSp + "the");
    CHECK(tok.label(ids({"<0x0A>"})[0]) == "<0x0A>");
    CHECK(tok.label(tok.bos()) == "<s>");
    CHECK(tok.label(tok.eos()) == "</s>");
    CHECK(tok.label(0) == "<unk>");
    CHECK(tok.label(-3) == "<invalid:-3>");
    CHECK(tok.label(TokenId(tok.vocabSize())) ==
          "<invalid:" + std::to_string(tok.vocabSize()) + ">");
    // Pieces holding control bytes or nothing still label on one line.
    SentencePieceTokenizer odd({{"<unk>", 0, TokenType::Unknown},
                                {"<s>", 0, TokenType::Control},
                                {"</s>", 0, TokenType::Control},
                                {"a\nb", 0, TokenType::Normal},
                                {"", 0, TokenType::Normal}},
                               1, 2, 0);
    CHECK(odd.label(3) == "a<0x0A>b");
    CHECK(odd.label(4) == "<empty:4>");
    for (TokenId id = 0; id < tok.vocabSize(); ++id)
        REQUIRE_FALSE(tok.label(id).empty());
}

TEST_CASE("SentencePiece special tokens", "[tokenizer]") {
    const auto tok = handTokenizer();
    CHECK(tok.bos() == 1);
    CHECK(tok.eos() == 2);
    CHECK(tok.isSpecial(0));
    CHECK(tok.isSpecial(1));
    CHECK(tok.isSpecial(2));
    CHECK_FALSE(tok.isSpecial(ids({"<0x41>"})[0]));
    CHECK_FALSE(tok.isSpecial(ids({kSp + "the"})[0]));
    CHECK_FALSE(tok.isSpecial(-1));
    CHECK(tok.vocabSize() == std::int64_t(handVocab().size()));
    CHECK(tok.entry(ids({"ab"})[0]).score == -20.0f);
}

TEST_CASE("SentencePiece reaches control pieces only by spelling them whole", "[tokenizer]") {
    // "<s" is a normal piece, "<s>" is BOS. Merging never produces BOS; the whole "<s>" in a
    // prompt is BOS, as in llama.cpp (parse_special).
    std::vector<VocabEntry> v{{"<unk>", 0, TokenType::Unknown}, {"<s>", 0, TokenType::Control},
                              {"</s>", 0, TokenType::Control},  {"<", -100, TokenType::Normal},
                              {"s", -100, TokenType::Normal},   {">", -100, TokenType::Normal},
                              {"<s", -1, TokenType::Normal},    {kSp, -100, TokenType::Normal}};
    SentencePieceTokenizer tok(v, 1, 2, 0);
    CHECK(tok.encode("<s>") == std::vector<TokenId>{1});
    CHECK(tok.encode("<s") == std::vector<TokenId>{7, 6});
}

TEST_CASE("SentencePiece byte fallback without byte pieces gives unk", "[tokenizer]") {
    std::vector<VocabEntry> v{{"<unk>", 0, TokenType::Unknown}, {"<s>", 0, TokenType::Control},
                              {"</s>", 0, TokenType::Control},  {kSp, -1, TokenType::Normal},
                              {"a", -1, TokenType::Normal},     {"<0xC3>", 0, TokenType::Byte}};
    SentencePieceTokenizer tok(v, 1, 2, 0);
    CHECK(tok.encode("a") == std::vector<TokenId>{3, 4});
    // é = C3 A9: C3 is found by its piece text at id 5, A9 has no piece -> unk.
    CHECK(tok.encode("\xC3\xA9") == std::vector<TokenId>{3, 5, 0});
}

TEST_CASE("SentencePiece duplicate pieces resolve to the first id", "[tokenizer]") {
    std::vector<VocabEntry> v{{"<unk>", 0, TokenType::Unknown}, {"<s>", 0, TokenType::Control},
                              {"</s>", 0, TokenType::Control},  {kSp, -1, TokenType::Normal},
                              {"a", -1, TokenType::Normal},     {"a", -1, TokenType::Normal}};
    SentencePieceTokenizer tok(v, 1, 2, 0);
    CHECK(tok.encode("a") == std::vector<TokenId>{3, 4});
}

TEST_CASE("SentencePiece rejects bad vocabularies with a clear message", "[tokenizer]") {
    using Catch::Contains;
    CHECK_THAT(inputErrorOf([] { SentencePieceTokenizer({}, 1, 2, 0); }), Contains("empty"));
    CHECK_THAT(inputErrorOf([] { SentencePieceTokenizer(handVocab(), 9999, 2, 0); }),
               Contains("bos token id 9999") && Contains("outside the vocabulary"));
    CHECK_THAT(inputErrorOf([] { SentencePieceTokenizer(handVocab(), 1, -1, 0); }),
               Contains("eos token id -1"));
    CHECK_THAT(inputErrorOf([] { SentencePieceTokenizer(handVocab(), 1, 2, 100000); }),
               Contains("unk token id 100000"));
    auto nan_vocab = handVocab();
    nan_vocab[270].score = std::numeric_limits<float>::quiet_NaN();
    CHECK_THAT(inputErrorOf([&] { SentencePieceTokenizer(nan_vocab, 1, 2, 0); }),
               Contains("token 270") && Contains("NaN"));
}

TEST_CASE("SentencePiece encodes long text without quadratic blow-up", "[tokenizer]") {
    const auto tok = handTokenizer();
    std::string text;
    const int n = 8000;  // 80 KB
    for (int i = 0; i < n; ++i)
        text += "hello the ";
    const auto tokens = tok.encode(text);
    REQUIRE(tokens.size() == std::size_t(2 * n + 1));
    CHECK(tokens[0] == ids({kSp + "hello"})[0]);
    CHECK(tokens[2 * n - 1] == ids({kSp + "the"})[0]);
    CHECK(tokens[2 * n] == ids({kSp})[0]);
    CHECK(decodeAll(tok, tokens) == " " + text);
}

TEST_CASE("detokenize drops the dummy-prefix space after BOS, as llama2.c prints", "[tokenizer]") {
    const auto tok = handTokenizer();
    const auto hello_the = ids({kSp + "hello", kSp + "the"});
    CHECK(detokenize(tok, hello_the, tok.bos()) == "hello the");
    CHECK(detokenize(tok, hello_the, -1) == " hello the");
    std::vector<TokenId> with_bos{tok.bos()};
    with_bos.insert(with_bos.end(), hello_the.begin(), hello_the.end());
    CHECK(detokenize(tok, with_bos, -1) == "hello the");
    // A byte token's space is a literal byte: llama2.c keeps it.
    CHECK(detokenize(tok, ids({"<0x20>", "hello"}), tok.bos()) == " hello");
    // Only the token right after BOS loses its space.
    CHECK(detokenize(tok, ids({"hello", kSp + "the"}), tok.bos()) == "hello the");
    CHECK(detokenize(tok, {}, tok.bos()).empty());
    // Byte-level tokenizers have no dummy prefix: nothing is stripped.
    ByteTokenizer bytes;
    const std::vector<TokenId> space_a{ByteTokenizer::kFirstByte + ' ',
                                       ByteTokenizer::kFirstByte + 'a'};
    CHECK(detokenize(bytes, space_a, bytes.bos()) == " a");
}

namespace {

// The tokenizer embedded in stories260K.gguf, or null when the file is absent and allowed to be.
std::shared_ptr<const SentencePieceTokenizer> realTokenizer() {
    const auto path = test::realModelPath("stories260K.gguf");
    if (!path) return nullptr;
    const auto tokenizer = loadGgufTokenizer(GgufFile::open(*path));
    auto spm = std::dynamic_pointer_cast<const SentencePieceTokenizer>(tokenizer);
    REQUIRE(spm != nullptr);
    return spm;
}

std::vector<std::string> labels(const Tokenizer& tok, const std::vector<TokenId>& tokens) {
    std::vector<std::string> out;
    for (TokenId id : tokens)
        out.push_back(tok.label(id));
    return out;
}

}  // namespace

TEST_CASE("SentencePiece on the real stories260K vocabulary: layout", "[tokenizer][real]") {
    const auto tok = realTokenizer();
    if (!tok) return;
    REQUIRE(tok->vocabSize() == 512);
    CHECK(tok->label(0) == "<unk>");
    CHECK(tok->label(tok->bos()) == "<s>");
    CHECK(tok->label(tok->eos()) == "</s>");
    CHECK(tok->bos() == 1);
    CHECK(tok->eos() == 2);
    for (unsigned b = 0; b < 256; ++b) {
        INFO("byte " << b);
        REQUIRE(tok->entry(TokenId(3 + b)).piece == bytePieceText(b));
        REQUIRE(tok->decode(TokenId(3 + b)) == std::string(1, char(b)));
    }
    CHECK(tok->isSpecial(0));
    CHECK(tok->isSpecial(1));
    CHECK(tok->isSpecial(2));
    CHECK_FALSE(tok->isSpecial(259));
}

TEST_CASE("SentencePiece on the real stories260K vocabulary: merges", "[tokenizer][real]") {
    const auto tok = realTokenizer();
    if (!tok) return;
    // Scores read from the file (higher merges first):
    //   "▁Once": ▁O -60, ▁On -62, ce -72, ▁Once -144        -> ▁On + ce
    //   "▁upon": on -30, ▁u -59, ▁up -91, ▁upon -148         -> ▁up + on
    //   "▁a": -2
    //   "▁time": ▁t 0, im -29, ime -110, ▁time -119          -> ▁t + ime
    const auto once = tok->encode("Once upon a time");
    CHECK(labels(*tok, once) ==
          std::vector<std::string>{kSp + "Once", kSp + "upon", kSp + "a", kSp + "time"});
    CHECK(once == std::vector<TokenId>{403, 407, 261, 378});
    CHECK(detokenize(*tok, once, tok->bos()) == "Once upon a time");
    // "▁Hello▁world": ▁w -4, or -45, ll -47, ▁H -61, ld -82, ▁He -87; "He", "llo", "▁wor",
    // "orld" are no pieces.
    CHECK(labels(*tok, tok->encode("Hello world")) ==
          std::vector<std::string>{kSp + "He", "ll", "o", kSp + "w", "or", "ld"});
    // é is a piece of this vocabulary; the emoji is not and falls back to its 4 bytes.
    CHECK(labels(*tok, tok->encode("caf\xC3\xA9 \xF0\x9F\x98\x80")) ==
          std::vector<std::string>{kSp + "c", "a", "f", "\xC3\xA9", kSp, "<0xF0>", "<0x9F>",
                                   "<0x98>", "<0x80>"});
}

TEST_CASE("SentencePiece on the real stories260K vocabulary: round trips", "[tokenizer][real]") {
    const auto tok = realTokenizer();
    if (!tok) return;
    const std::string texts[] = {
        "Once upon a time, there was a little girl named Lily.",
        "Lily's mom said, \"Lily, let's go to the park.\"\nThe end!",
        "   spaced  out  ",
        "caf\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x80\x94 100% {ok}",
        "\xC3(\x80 invalid \xFF",
    };
    for (const std::string& text : texts) {
        INFO("text: " << text);
        const auto tokens = tok->encode(text);
        CHECK(decodeAll(*tok, tokens) == " " + text);
        CHECK(detokenize(*tok, tokens, tok->bos()) == text);
        for (TokenId id : tokens)
            REQUIRE_FALSE(tok->isSpecial(id));
    }
}

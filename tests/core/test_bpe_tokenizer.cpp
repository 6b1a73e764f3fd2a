// Tokenization against llama.cpp: the vocabularies in tests/data/tokenizer/ (byte-level BPE with
// each pre-tokenizer, SentencePiece shaped like Gemma's and Phi-3's) and, for every text of the
// corpus, llama.cpp's ids and printed pieces, written by scripts/golden/tokenizer_golden.py.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/engine/session.h"
#include "core/model/bpe_tokenizer.h"
#include "core/model/chat_format.h"
#include "core/model/detokenize.h"
#include "core/model/gguf_model.h"
#include "core/model/gguf_tokenizer.h"
#include "core/model/gpt2_bytes.h"
#include "core/model/pre_tokenizer.h"
#include "core/model/prompt_tokens.h"
#include "core/model/random_weights.h"
#include "core/model/sentencepiece_tokenizer.h"
#include "core/util/error.h"
#include "core/util/utf8.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/gguf_writer.h"
#include "tests/core/tiny_models.h"
#include "tests/core/vocab_model_file.h"

using namespace kvscope;

namespace {

const std::string kDataDir = std::string(KVSCOPE_TEST_DATA_DIR) + "/tokenizer/";

std::string fromHex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += char(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

struct GoldenCase {
    std::string text;
    std::vector<TokenId> ids;  // llama.cpp's, BOS/EOS included as it adds them
    std::string printed;       // llama.cpp's pieces of ids, concatenated ("=": the text)
};

std::vector<GoldenCase> readGolden(const std::string& name) {
    std::ifstream in(kDataDir + name + ".golden");
    REQUIRE(in.good());
    std::vector<GoldenCase> cases;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string text, ids, printed;
        std::getline(fields, text, '\t');
        std::getline(fields, ids, '\t');
        std::getline(fields, printed, '\t');
        GoldenCase c{fromHex(text), {}, printed == "=" ? fromHex(text) : fromHex(printed)};
        std::istringstream numbers(ids);
        for (TokenId id; numbers >> id;)
            c.ids.push_back(id);
        cases.push_back(std::move(c));
    }
    return cases;
}

std::shared_ptr<const Tokenizer> loadFixture(const std::string& name) {
    return loadGgufTokenizer(GgufFile::open(kDataDir + name + ".gguf"));
}

bool isValidUtf8(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t n = utf8SequenceLength(text.substr(pos));
        if (n == 0) return false;
        pos += n;
    }
    return true;
}

bool spellsSpecialToken(const std::string& text) {
    for (const char* marker : {"<|", "<s>", "</s>", "<unk>", "_of_turn>", "tool_call>", "<pad>"}) {
        if (text.find(marker) != std::string::npos) return true;
    }
    return false;
}

std::string concatenatedDecode(const Tokenizer& tokenizer, const std::vector<TokenId>& ids) {
    std::string text;
    for (TokenId id : ids)
        text += tokenizer.decode(id);
    return text;
}

}  // namespace

TEST_CASE("tokenization equals llama.cpp's on the corpus, for every vocabulary", "[tokenizer]") {
    const std::string name =
        GENERATE(as<std::string>{}, "bpe-llama-bpe", "bpe-qwen2", "bpe-smollm", "bpe-gpt-2",
                 "bpe-deepseek-llm", "bpe-default", "spm-gemma", "spm-phi3",
                 // the vocabularies of the models in tests/data/arch (make_arch_goldens.py)
                 "bpe-arch-qwen2", "spm-arch-gemma");
    const std::shared_ptr<const Tokenizer> tokenizer = loadFixture(name);
    const std::vector<GoldenCase> cases = readGolden(name);
    REQUIRE(cases.size() >= 60);
    std::size_t n_round_trips = 0;
    for (const GoldenCase& c : cases) {
        INFO(name << ": text '" << c.text << "'");
        CHECK(promptTokens(*tokenizer, c.text) == c.ids);
        // What a generation loop prints for these ids (llama_token_to_piece, specials hidden).
        CHECK(concatenatedDecode(*tokenizer, c.ids) == c.printed);
        if (name.rfind("bpe-", 0) == 0 && isValidUtf8(c.text) && !spellsSpecialToken(c.text)) {
            // Byte-level BPE loses nothing: the printed pieces are the text.
            CHECK(c.printed == c.text);
            CHECK(concatenatedDecode(*tokenizer, tokenizer->encode(c.text)) == c.text);
            ++n_round_trips;
        }
    }
    if (name.rfind("bpe-", 0) == 0) CHECK(n_round_trips >= 45);
}

TEST_CASE("the file's add_bos_token / add_eos_token and the pre-tokenizer's defaults",
          "[tokenizer]") {
    // llama-bpe adds BOS by default; qwen2 (add_bos_token false) does not; gpt-2 here says
    // add_bos_token and add_eos_token true; the SentencePiece files add BOS (llama.cpp's default).
    const auto llama3 = loadFixture("bpe-llama-bpe");
    CHECK(llama3->addBos());
    CHECK_FALSE(llama3->addEos());
    const auto qwen2 = loadFixture("bpe-qwen2");
    CHECK_FALSE(qwen2->addBos());
    const auto gpt2 = loadFixture("bpe-gpt-2");
    CHECK(gpt2->addBos());
    CHECK(gpt2->addEos());
    CHECK(loadFixture("bpe-smollm")->addBos() == false);
    CHECK(loadFixture("spm-gemma")->addBos());
    // An empty prompt without BOS still gives the model a first token.
    CHECK(promptTokens(*qwen2, "") == std::vector<TokenId>{qwen2->bos()});
}

TEST_CASE("byte-level tokens are shown readably: a space, not the byte alphabet's Ġ",
          "[tokenizer]") {
    const auto tokenizer = loadFixture("bpe-llama-bpe");
    // " world" is one token of this vocabulary (the merges learned "Ġworld").
    const std::vector<TokenId> ids = tokenizer->encode(" world\n\xC3\xA9");
    REQUIRE(!ids.empty());
    CHECK(tokenizer->label(ids.front()) == " world");
    CHECK(tokenizer->decode(ids.front()) == " world");
    std::string labels;
    for (TokenId id : ids)
        labels += tokenizer->label(id);
    CHECK(labels.find("\xC4\xA0") == std::string::npos);  // no "Ġ"
    CHECK(labels.find("<0x0A>") != std::string::npos);    // the newline, spelled
    // A special token is shown by its text and is special; a user-defined one prints.
    const std::vector<TokenId> special = tokenizer->encode("<|im_start|><tool_call>");
    REQUIRE(special.size() == 2);
    CHECK(tokenizer->label(special[0]) == "<|im_start|>");
    CHECK(tokenizer->isSpecial(special[0]));
    CHECK(tokenizer->decode(special[0]).empty());
    CHECK_FALSE(tokenizer->isSpecial(special[1]));
    CHECK(tokenizer->decode(special[1]) == "<tool_call>");
    // "ж" (D0 B6) is not merged in this vocabulary: two byte tokens, each shown as its byte.
    const std::vector<TokenId> zhe = tokenizer->encode("\xD0\xB6");
    REQUIRE(zhe.size() == 2);
    CHECK(tokenizer->label(zhe[0]) == "<0xD0>");
    CHECK(tokenizer->label(zhe[1]) == "<0xB6>");
    CHECK(tokenizer->decode(zhe[0]) + tokenizer->decode(zhe[1]) == "\xD0\xB6");
}

TEST_CASE("GPT-2's byte alphabet", "[tokenizer]") {
    CHECK(gpt2ByteChar(' ') == "\xC4\xA0");   // Ġ U+0120
    CHECK(gpt2ByteChar('\n') == "\xC4\x8A");  // Ċ U+010A
    CHECK(gpt2ByteChar('a') == "a");
    CHECK(gpt2ByteChar(0xAD) == "\xC5\x83");  // the soft hyphen is U+0143
    CHECK(gpt2ByteChar(0xE9) == "\xC3\xA9");  // é stands for itself
    std::string all;
    for (unsigned b = 0; b < 256; ++b)
        all += char(b);
    CHECK(gpt2Decode(gpt2Encode(all)) == all);
    CHECK_FALSE(gpt2Decode("\xE2\x82\xAC").has_value());  // € is not in the alphabet
}

TEST_CASE("pre-tokenizer words on hand-checked texts", "[tokenizer]") {
    using Words = std::vector<std::string>;
    const PreTokenizer llama3("llama-bpe");
    CHECK(llama3.split("Hello world's 12345!!\n\n  x") ==
          Words{"Hello", " world", "'s", " ", "123", "45", "!!\n\n", " ", " x"});
    const PreTokenizer gpt2("gpt-2");
    CHECK(gpt2.split("Hello world's 12345!!") == Words{"Hello", " world", "'s", " 12345", "!!"});
    const PreTokenizer qwen2("qwen2");
    CHECK(qwen2.split("a 123") == Words{"a", " ", "1", "2", "3"});
    CHECK(PreTokenizer("llama3").name() == "llama-bpe");
    // Invalid UTF-8: each bad byte is U+FFFD, as llama.cpp decodes it.
    CHECK(gpt2.split("a\xFF") == Words{"a", "\xEF\xBF\xBD"});
}

TEST_CASE("an unknown pre-tokenizer or tokenizer model is named", "[tokenizer]") {
    try {
        PreTokenizer("no-such-pre");
        FAIL("expected InputError");
    } catch (const InputError& e) {
        const std::string what = e.what();
        CHECK(what.find("tokenizer.ggml.pre") != std::string::npos);
        CHECK(what.find("'no-such-pre'") != std::string::npos);
        CHECK(what.find("llama-bpe") != std::string::npos);
    }
}

TEST_CASE("chat formats from the file's template", "[tokenizer]") {
    CHECK(detectChatFormat("{{ '<|start_header_id|>' + message['role'] }}") == ChatFormat::Llama3);
    CHECK(detectChatFormat("{{ '<|im_start|>' + message['role'] }}") == ChatFormat::ChatMl);
    CHECK(detectChatFormat("{{ '<start_of_turn>' + role }}") == ChatFormat::Gemma);
    CHECK(detectChatFormat("{{ '<|user|>' + content + '<|end|>' }}") == ChatFormat::Phi3);
    CHECK_FALSE(detectChatFormat("{{ messages }}").has_value());
    CHECK(applyChatFormat(ChatFormat::ChatMl, "Hi") ==
          "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    CHECK(applyChatFormat(ChatFormat::Llama3, "Hi") ==
          "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant"
          "<|end_header_id|>\n\n");
    // In a prompt the template's markers are single special tokens.
    const auto tokenizer = loadFixture("bpe-qwen2");
    const std::vector<TokenId> ids = tokenizer->encode(applyChatFormat(ChatFormat::ChatMl, "Hi"));
    REQUIRE(ids.size() >= 5);
    CHECK(tokenizer->label(ids.front()) == "<|im_start|>");
}

TEST_CASE("a llama-architecture GGUF with a gpt2 vocabulary loads and runs", "[tokenizer]") {
    test::GgufTempDir dir;
    const std::string path = dir.file("llama3-like.gguf");
    test::writeBytes(
        path, test::llamaWithVocab(kDataDir + "bpe-llama-bpe.gguf", "{{ '<|start_header_id|>' }}"));
    auto model = std::make_shared<const Model>(loadGgufModel(path));
    REQUIRE(dynamic_cast<const BpeTokenizer*>(model->tokenizer.get()) != nullptr);
    CHECK(detectChatFormat(model->chat_template) == ChatFormat::Llama3);
    // The same ids as the vocabulary alone gives (and llama.cpp: the golden file's first line).
    const GoldenCase first = readGolden("bpe-llama-bpe").front();
    const std::vector<TokenId> prompt = promptTokens(*model, first.text);
    CHECK(prompt == first.ids);
    Session session(model, SessionOptions{});
    const StepRecord& prefill = session.prefill(prompt);
    CHECK(prefill.tokens == prompt);
    CHECK(session.step().tokens.size() == 1);
    // <|eot_id|> ends a Llama 3 turn.
    const std::vector<TokenId> eot = model->tokenizer->encode("<|eot_id|>");
    REQUIRE(eot.size() == 1);
    CHECK(model->tokenizer->isEndOfGeneration(eot[0]));
    CHECK(model->tokenizer->isEndOfGeneration(model->tokenizer->eos()));
}

TEST_CASE("a GGUF whose tokenizer KVScope does not run is named, and still opens", "[tokenizer]") {
    test::GgufTempDir dir;
    const std::string path = dir.file("t5.gguf");
    const GgufFile good = GgufFile::open(kDataDir + "bpe-qwen2.gguf");
    test::GgufWriter out;
    for (const GgufMetadataEntry& entry : good.metadata()) {
        if (entry.key == "tokenizer.ggml.model")
            out.kv(entry.key, test::ggufStr("t5"));
        else
            out.kv(entry.key, good.value(entry));
    }
    test::writeBytes(path, out.build());
    const GgufFile file = GgufFile::open(path);
    CHECK(readGgufConfig(file).vocab == 686);  // the header still describes the model
    CHECK_THROWS_WITH(loadGgufTokenizer(file), Catch::Contains("tokenizer model 't5'") &&
                                                   Catch::Contains("tokenizer.ggml.model"));
    test::GgufWriter bad_pre;
    for (const GgufMetadataEntry& entry : good.metadata()) {
        if (entry.key == "tokenizer.ggml.pre")
            bad_pre.kv(entry.key, test::ggufStr("no-such-pre"));
        else
            bad_pre.kv(entry.key, good.value(entry));
    }
    test::writeBytes(path, bad_pre.build());
    CHECK_THROWS_WITH(loadGgufTokenizer(GgufFile::open(path)),
                      Catch::Contains("pre-tokenizer 'no-such-pre' is not supported") &&
                          Catch::Contains("(key 'tokenizer.ggml.pre')"));
}

TEST_CASE("encode throughput (prints MB/s; not a pass/fail threshold)", "[.throughput]") {
    const auto tokenizer = loadFixture("bpe-llama-bpe");
    std::string text;
    for (const GoldenCase& c : readGolden("bpe-llama-bpe"))
        text += c.text + "\n";
    while (text.size() < (8u << 20))
        text += text;
    const auto start = std::chrono::steady_clock::now();
    const std::vector<TokenId> ids = tokenizer->encode(text);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("encoded " << text.size() / 1e6 << " MB into " << ids.size() << " tokens in " << seconds
                    << " s: " << text.size() / 1e6 / seconds << " MB/s");
}

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/engine/session.h"
#include "core/model/detokenize.h"
#include "core/model/gguf_model.h"
#include "core/model/llama2c_model.h"
#include "core/model/llama2c_tokenizer.h"
#include "core/model/random_weights.h"
#include "core/util/error.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/known_good.h"
#include "tests/core/llama2c_writer.h"
#include "tests/core/test_util.h"

using namespace kvscope;
using namespace kvscope::test;
using Catch::Contains;

namespace {

// Random weights whose norms are random too (randomWeights sets them to 1, which would hide a
// reader that swaps rms_att_weight and rms_ffn_weight).
ModelWeights distinctWeights(const ModelConfig& c, std::uint64_t seed) {
    ModelWeights w = randomWeights(c, seed);
    SeededStream rng(seed + 1);
    const auto fill = [&rng](Vector& v) {
        for (Eigen::Index i = 0; i < v.size(); ++i)
            v[i] = 1.0f + rng.symmetric(0.5f);
    };
    for (LayerWeights& l : w.layers) {
        fill(l.attn_norm);
        fill(l.ffn_norm);
    }
    fill(w.output_norm);
    return w;
}

bool sameTensor(const Vector& a, const Vector& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

bool sameTensor(const WeightMatrix& wa, const WeightMatrix& wb) {
    const Matrix a = wa.toMatrix(), b = wb.toMatrix();
    return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

void requireSameWeights(const ModelWeights& got, const ModelWeights& want) {
    CHECK(sameTensor(got.token_embd, want.token_embd));
    REQUIRE(got.layers.size() == want.layers.size());
    for (std::size_t i = 0; i < got.layers.size(); ++i) {
        INFO("layer " << i);
        const LayerWeights& g = got.layers[i];
        const LayerWeights& w = want.layers[i];
        CHECK(sameTensor(g.attn_norm, w.attn_norm));
        CHECK(sameTensor(g.wq, w.wq));
        CHECK(sameTensor(g.wk, w.wk));
        CHECK(sameTensor(g.wv, w.wv));
        CHECK(sameTensor(g.wo, w.wo));
        CHECK(sameTensor(g.ffn_norm, w.ffn_norm));
        CHECK(sameTensor(g.w_gate, w.w_gate));
        CHECK(sameTensor(g.w_up, w.w_up));
        CHECK(sameTensor(g.w_down, w.w_down));
    }
    CHECK(sameTensor(got.output_norm, want.output_norm));
    CHECK(sameTensor(got.output, want.output));
}

using test::inputErrorOf;

// A directory holding a valid tied checkpoint "model.bin" and its "tokenizer.bin".
struct Files {
    TempDir dir;
    ModelConfig config = llama2cConfig(true);
    std::string checkpoint = llama2cCheckpointBytes(config, distinctWeights(config, 3));
    std::string tokenizer = llama2cTokenizerBytes(smallLlama2cVocab(config.vocab));
    std::string checkpoint_path = (dir / "model.bin").string();
    std::string tokenizer_path = (dir / "tokenizer.bin").string();

    Files() {
        writeFile(checkpoint_path, checkpoint);
        writeFile(tokenizer_path, tokenizer);
    }
    std::string loadError() {
        return inputErrorOf([&] { loadLlama2cModel(checkpoint_path, tokenizer_path); });
    }
    std::string checkpointError(const std::string& bytes) {
        writeFile(checkpoint_path, bytes);
        return loadError();
    }
    std::string headerError(const Llama2cHeaderFields& header) {
        return checkpointError(llama2cHeaderBytes(header) + checkpoint.substr(28));
    }
    std::string tokenizerError(const std::string& bytes) {
        writeFile(tokenizer_path, bytes);
        return loadError();
    }
};

}  // namespace

TEST_CASE("llama2.c checkpoint loads back every tensor exactly", "[llama2c]") {
    const bool tied = GENERATE(true, false);
    INFO((tied ? "tied" : "untied") << " classifier");
    const ModelConfig config = llama2cConfig(tied);
    const ModelWeights weights = distinctWeights(config, 11);
    TempDir dir;
    const std::string bytes = llama2cCheckpointBytes(config, weights);
    // header + embedding + per layer (2 norms, wq wo, wk wv, w1 w2 w3) + final norm + freq_cis
    // (+ wcls), in floats.
    const std::int64_t per_layer = 2 * 16 + 2 * 16 * 16 + 2 * 8 * 16 + 3 * 24 * 16;
    const std::int64_t floats =
        40 * 16 + 2 * per_layer + 16 + 2 * (32 * 4 / 2) + (tied ? 0 : 40 * 16);
    REQUIRE(std::int64_t(bytes.size()) == 28 + 4 * floats);
    writeFile(dir / "stories_tiny.bin", bytes);
    writeFile(dir / "tokenizer.bin", llama2cTokenizerBytes(smallLlama2cVocab(config.vocab)));

    const Model model = loadLlama2cModel((dir / "stories_tiny.bin").string());
    CHECK(model.config.name == "stories_tiny");
    CHECK(model.config.n_layers == 2);
    CHECK(model.config.d_model == 16);
    CHECK(model.config.n_heads == 4);
    CHECK(model.config.n_kv_heads == 2);
    CHECK(model.config.head_dim == 4);
    CHECK(model.config.d_ff == 24);
    CHECK(model.config.vocab == 40);
    CHECK(model.config.max_context == 32);
    CHECK(model.config.rope_theta == 10000.0f);
    CHECK(model.config.norm_eps == 1e-5f);
    CHECK(model.config.tied_output == tied);
    model.weights.checkShapes(model.config);
    requireSameWeights(model.weights, weights);
    if (tied) CHECK(model.weights.output.size() == 0);
    // Used in place: every matrix views the mapped file's fp32 rows (no copy).
    CHECK(model.weights.token_embd.isView());
    for (const LayerWeights& l : model.weights.layers)
        for (const WeightMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            CHECK((m->isView() && m->type() == GgmlType::F32));
    if (!tied) CHECK(model.weights.output.isView());
    REQUIRE(model.tokenizer != nullptr);
    CHECK(model.tokenizer->vocabSize() == 40);
}

TEST_CASE("llama2.c tokenizer.bin becomes SentencePiece pieces", "[llama2c][tokenizer]") {
    TempDir dir;
    const auto vocab = smallLlama2cVocab(12);
    const std::string bytes = llama2cTokenizerBytes(vocab);
    // The file spells "▁" as ' ' and BOS / EOS as llama2.c's export does.
    REQUIRE(bytes.find("\n<s>\n") != std::string::npos);
    REQUIRE(bytes.find(" w3") != std::string::npos);
    REQUIRE(bytes.find("\xE2\x96\x81") == std::string::npos);
    writeFile(dir / "tok.bin", bytes);
    const auto tok = loadLlama2cTokenizer((dir / "tok.bin").string(), 12);
    REQUIRE(tok->vocabSize() == 12);
    CHECK(tok->bos() == 1);
    CHECK(tok->eos() == 2);
    for (TokenId id = 0; id < 12; ++id) {
        INFO("token " << id);
        CHECK(tok->entry(id).piece == vocab[std::size_t(id)].piece);
        CHECK(tok->entry(id).score == vocab[std::size_t(id)].score);
        CHECK(tok->entry(id).type == vocab[std::size_t(id)].type);
    }
    CHECK(tok->label(1) == "<s>");
    CHECK(tok->isSpecial(0));
    CHECK(tok->decode(3) == " w3");
    CHECK(tok->decode(5) == "\n");  // <0x0A>
    // Byte pieces are found in the file: "▁" (3 bytes, no piece, no byte token) -> unk,
    // "\n" -> <0x0A>.
    CHECK(tok->encode("\n") == std::vector<TokenId>{0, 0, 0, 5});
}

TEST_CASE("llama2.c finds tokenizer.bin beside the checkpoint or says it is missing", "[llama2c]") {
    Files f;
    CHECK(loadLlama2cModel(f.checkpoint_path).tokenizer->vocabSize() == 40);
    // An explicit path wins over the one beside.
    writeFile(f.dir / "other.bin", f.tokenizer);
    std::filesystem::remove(f.tokenizer_path);
    CHECK(loadLlama2cModel(f.checkpoint_path, (f.dir / "other.bin").string()).config.vocab == 40);
    const std::string error = inputErrorOf([&] { loadLlama2cModel(f.checkpoint_path); });
    CHECK_THAT(error, Contains(f.checkpoint_path) && Contains("tokenizer.bin") &&
                          Contains(f.tokenizer_path));
}

TEST_CASE("llama2.c reports missing files and directories by path", "[llama2c]") {
    Files f;
    const std::string missing = (f.dir / "nope.bin").string();
    CHECK_THAT(inputErrorOf([&] { loadLlama2cModel(missing, f.tokenizer_path); }),
               Contains(missing) && Contains("no such file"));
    CHECK_THAT(inputErrorOf([&] { loadLlama2cModel(f.dir.path().string(), f.tokenizer_path); }),
               Contains("not a regular file"));
    CHECK_THAT(inputErrorOf([&] { loadLlama2cModel(f.checkpoint_path, missing); }),
               Contains("llama2.c tokenizer " + missing) && Contains("no such file"));
}

TEST_CASE("llama2.c rejects a checkpoint truncated anywhere", "[llama2c]") {
    Files f;
    const std::int64_t size = std::int64_t(f.checkpoint.size());
    for (std::int64_t cut : {std::int64_t(0), std::int64_t(1), std::int64_t(4), std::int64_t(27),
                             std::int64_t(28), std::int64_t(29), std::int64_t(32), size / 3,
                             size / 2, size - 2 * 32 * 4 / 2 * 4, size - 4, size - 1}) {
        INFO("cut at " << cut << " of " << size);
        const std::string error = f.checkpointError(f.checkpoint.substr(0, std::size_t(cut)));
        CHECK_THAT(error, Contains(f.checkpoint_path) && Contains("bytes"));
    }
    const std::string header_cut = f.checkpointError(f.checkpoint.substr(0, 20));
    CHECK_THAT(header_cut, Contains("file is 20 bytes, too short for the 28-byte header"));
    const std::string body_cut = f.checkpointError(f.checkpoint.substr(0, std::size_t(size - 4)));
    CHECK_THAT(body_cut, Contains("file is " + std::to_string(size - 4) +
                                  " bytes, header implies " + std::to_string(size)) &&
                             Contains("dim 16, hidden_dim 24, n_layers 2, n_heads 4, "
                                      "n_kv_heads 2, vocab_size 40, seq_len 32"));
    CHECK_THAT(f.checkpointError(f.checkpoint + "junk"),
               Contains("header implies " + std::to_string(size)));
}

TEST_CASE("llama2.c rejects a header that lies about the size", "[llama2c]") {
    Files f;
    const Llama2cHeaderFields good = llama2cHeader(f.config);
    auto more_layers = good;
    more_layers[2] = 3;
    CHECK_THAT(f.headerError(more_layers),
               Contains(f.checkpoint_path) && Contains("header implies") && Contains("n_layers 3"));
    auto longer = good;
    longer[6] = 64;  // seq_len changes the size of the unused freq_cis tables
    CHECK_THAT(f.headerError(longer), Contains("header implies") && Contains("seq_len 64"));
    auto untied = good;
    untied[5] = -40;  // claims a wcls the file does not have
    CHECK_THAT(f.headerError(untied), Contains("header implies") &&
                                          Contains("a tied classifier (the sign of vocab_size)"));
}

TEST_CASE("llama2.c rejects bad header fields by name", "[llama2c]") {
    Files f;
    const Llama2cHeaderFields good = llama2cHeader(f.config);
    const char* names[] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "", "seq_len"};
    for (int field : {0, 1, 2, 3, 4, 6}) {
        for (std::int32_t value : {0, -16, std::numeric_limits<std::int32_t>::min()}) {
            INFO("field " << names[field] << " = " << value);
            auto header = good;
            header[std::size_t(field)] = value;
            CHECK_THAT(f.headerError(header),
                       Contains(f.checkpoint_path) &&
                           Contains(std::string("header field ") + names[field] + " is " +
                                    std::to_string(value) + ", must be > 0"));
        }
    }
    auto no_vocab = good;
    no_vocab[5] = 0;
    CHECK_THAT(f.headerError(no_vocab), Contains("vocab_size is 0"));

    auto uneven_kv = good;
    uneven_kv[4] = 3;  // 4 query heads, 3 KV heads
    CHECK_THAT(
        f.headerError(uneven_kv),
        Contains(f.checkpoint_path) && Contains("n_heads 4 is not divisible by n_kv_heads 3"));
    auto uneven_heads = good;
    uneven_heads[3] = 3;  // dim 16, 3 heads
    uneven_heads[4] = 3;
    CHECK_THAT(f.headerError(uneven_heads), Contains("dim 16 is not divisible by n_heads 3"));
    auto odd_head = good;
    odd_head[3] = 16;  // head_dim 1: RoPE needs pairs
    odd_head[4] = 16;
    CHECK_THAT(f.headerError(odd_head), Contains(f.checkpoint_path) && Contains("head_dim"));
    auto magic = good;
    magic[0] = 0x616b3432;
    CHECK_THAT(f.headerError(magic), Contains("ak42") && Contains("--version 0"));
}

TEST_CASE("llama2.c rejects huge dimensions without allocating", "[llama2c]") {
    Files f;
    constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();
    const Llama2cHeaderFields huge_headers[] = {
        {1 << 30, kMax, kMax, 2, 2, kMax, kMax},  // overflows 64 bits
        {4096, 11008, 32, 32, 32, -32000, 4096},  // Llama-2-7B: 27 GB, far bigger than the file
        {16, 24, 2, 4, 2, std::numeric_limits<std::int32_t>::min(), 32},
        {16, 24, 2, 4, 2, -kMax, kMax},
    };
    for (const auto& header : huge_headers) {
        INFO("dim " << header[0] << " vocab_size " << header[5]);
        CHECK_THAT(f.headerError(header), Contains(f.checkpoint_path));
    }
    CHECK_THAT(f.headerError(huge_headers[0]), Contains("overflow"));
    CHECK_THAT(f.headerError(huge_headers[1]), Contains("header implies"));
}

TEST_CASE("llama2.c rejects a truncated or oversized tokenizer.bin", "[llama2c][tokenizer]") {
    Files f;
    const std::int64_t size = std::int64_t(f.tokenizer.size());
    for (std::int64_t cut : {std::int64_t(0), std::int64_t(2), std::int64_t(4), std::int64_t(6),
                             std::int64_t(10), std::int64_t(13), size / 2, size - 1}) {
        INFO("cut at " << cut << " of " << size);
        CHECK_THAT(f.tokenizerError(f.tokenizer.substr(0, std::size_t(cut))),
                   Contains("llama2.c tokenizer " + f.tokenizer_path));
    }
    // A tokenizer of 39 tokens for a 40-token model ends inside token 39.
    CHECK_THAT(f.tokenizerError(llama2cTokenizerBytes(smallLlama2cVocab(39))),
               Contains("token 39 of 40"));
    // One of 41 tokens leaves a record over.
    CHECK_THAT(f.tokenizerError(llama2cTokenizerBytes(smallLlama2cVocab(41))),
               Contains("bytes left after the 40 tokens"));
}

TEST_CASE("llama2.c rejects bad tokenizer records by token and offset", "[llama2c][tokenizer]") {
    Files f;
    // The first record (token 0, "<unk>") starts at offset 4: score, length, bytes.
    const auto withRecord0 = [&](float score, std::int32_t length) {
        std::string bytes = f.tokenizer;
        std::memcpy(bytes.data() + 4, &score, 4);
        std::memcpy(bytes.data() + 8, &length, 4);
        return bytes;
    };
    CHECK_THAT(f.tokenizerError(withRecord0(0.0f, std::numeric_limits<std::int32_t>::max())),
               Contains("token 0 of 40 at offset 4 has length 2147483647"));
    CHECK_THAT(f.tokenizerError(withRecord0(0.0f, -5)), Contains("has length -5"));
    CHECK_THAT(f.tokenizerError(withRecord0(std::numeric_limits<float>::quiet_NaN(), 5)),
               Contains("token 0 of 40 at offset 4 has score nan"));
    CHECK_THAT(f.tokenizerError(withRecord0(std::numeric_limits<float>::infinity(), 5)),
               Contains("finite"));
    // A length within max_token_length (6) but past the end of the file: the last record,
    // token 39 " w39", announces 6 bytes where 4 are left.
    std::string last_long = f.tokenizer;
    const std::int32_t six = 6;
    std::memcpy(last_long.data() + last_long.size() - 4 - 4, &six, 4);
    CHECK_THAT(f.tokenizerError(last_long),
               Contains("token 39 of 40") && Contains("6-byte piece has only 4 bytes left"));
    std::string no_max = f.tokenizer;
    const std::int32_t zero = 0;
    std::memcpy(no_max.data(), &zero, 4);
    CHECK_THAT(f.tokenizerError(no_max), Contains("max_token_length is 0"));
}

namespace {

// stories260K.gguf written out as a llama2.c checkpoint + tokenizer.bin in `dir`, with the GGUF
// model it came from; nullopt when the file is absent and allowed to be.
std::optional<Model> realModelAsLlama2c(const TempDir& dir) {
    const auto path = realModelPath("stories260K.gguf");
    if (!path) return std::nullopt;
    GgufModelOptions options;
    options.max_context_cap = 512;  // trained at 512 (README), llama2.c's seq_len
    Model gguf = loadGgufModel(*path, options);
    const auto* spm = dynamic_cast<const SentencePieceTokenizer*>(gguf.tokenizer.get());
    REQUIRE(spm != nullptr);
    std::vector<VocabEntry> vocab;
    for (TokenId id = 0; id < spm->vocabSize(); ++id)
        vocab.push_back(spm->entry(id));
    writeFile(dir / "stories260K.bin", llama2cCheckpointBytes(gguf.config, gguf.weights));
    writeFile(dir / "tok512.bin", llama2cTokenizerBytes(vocab));
    return gguf;
}

}  // namespace

TEST_CASE("llama2.c files of the real stories260K load back identical", "[llama2c][real]") {
    TempDir dir;
    const auto gguf = realModelAsLlama2c(dir);
    if (!gguf) return;
    const Model model =
        loadLlama2cModel((dir / "stories260K.bin").string(), (dir / "tok512.bin").string());
    CHECK(model.config.n_layers == 5);
    CHECK(model.config.d_model == 64);
    CHECK(model.config.n_heads == 8);
    CHECK(model.config.n_kv_heads == 4);
    CHECK(model.config.head_dim == 8);
    CHECK(model.config.d_ff == 172);
    CHECK(model.config.vocab == 512);
    CHECK(model.config.max_context == 512);
    CHECK_FALSE(model.config.tied_output);
    requireSameWeights(model.weights, gguf->weights);
    const auto& got = dynamic_cast<const SentencePieceTokenizer&>(*model.tokenizer);
    const auto& want = dynamic_cast<const SentencePieceTokenizer&>(*gguf->tokenizer);
    REQUIRE(got.vocabSize() == want.vocabSize());
    for (TokenId id = 0; id < got.vocabSize(); ++id) {
        INFO("token " << id << " " << want.label(id));
        REQUIRE(got.entry(id).piece == want.entry(id).piece);
        REQUIRE(got.entry(id).score == want.entry(id).score);
        REQUIRE(got.entry(id).type == want.entry(id).type);
    }
}

TEST_CASE("llama2.c stories260K generates llama2.c's known-good greedy text", "[llama2c][real]") {
    TempDir dir;
    if (!realModelAsLlama2c(dir)) return;
    auto model = std::make_shared<const Model>(
        loadLlama2cModel((dir / "stories260K.bin").string(), (dir / "tok512.bin").string()));
    CHECK(test::greedyText(model) == test::kKnownGoodGreedy);
}

TEST_CASE("llama2.c files with random bytes flipped load or fail cleanly", "[llama2c]") {
    Files f;
    std::mt19937_64 rng(2024);
    const auto flip = [&rng](std::string bytes, std::size_t limit) {
        const int n_flips = 1 + int(rng() % 3);
        for (int i = 0; i < n_flips; ++i)
            bytes[rng() % limit] = char(rng() & 0xFF);
        return bytes;
    };
    int failures = 0;
    for (int trial = 0; trial < 200; ++trial) {
        INFO("trial " << trial);
        const bool header = trial % 2 == 0;  // the checkpoint's header, or the tokenizer
        writeFile(f.checkpoint_path, header ? flip(f.checkpoint, 28) : f.checkpoint);
        writeFile(f.tokenizer_path, header ? f.tokenizer : flip(f.tokenizer, f.tokenizer.size()));
        try {
            const Model model = loadLlama2cModel(f.checkpoint_path, f.tokenizer_path);
            model.weights.checkShapes(model.config);
        } catch (const InputError& e) {
            ++failures;
            const std::string message = e.what();
            REQUIRE((message.find(f.checkpoint_path) != std::string::npos ||
                     message.find(f.tokenizer_path) != std::string::npos));
        }
    }
    CHECK(failures > 50);  // most header flips break the size check
}

TEST_CASE("weights that are not finite are refused at load, naming the tensor and the index",
          "[llama2c]") {
    // Issue #16: NaN or Inf weights loaded and generated <unk> with probability null.
    const ModelConfig config = llama2cConfig(false);
    const float bad =
        GENERATE(std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                 -std::numeric_limits<float>::infinity());
    ModelWeights weights = distinctWeights(config, 11);
    weights.layers[1].wk.values()(2, 3) = bad;  // wk is [n_kv_heads * head_dim = 8][d_model = 16]
    TempDir dir;
    writeFile(dir / "bad.bin", llama2cCheckpointBytes(config, weights));
    writeFile(dir / "tokenizer.bin", llama2cTokenizerBytes(smallLlama2cVocab(config.vocab)));
    // Row 2, column 3 of a 16-column tensor is value 2 * 16 + 3 = 35 of 8 * 16 = 128.
    CHECK_THROWS_WITH(loadLlama2cModel((dir / "bad.bin").string()),
                      Catch::Contains("tensor blk.1.attn_k holds") &&
                          Catch::Contains("at [2][3] (value 35 of 128)"));
    weights.layers[1].wk.values()(2, 3) = 0.5f;
    weights.output.values()(39, 15) = bad;  // the last value of the untied classifier
    writeFile(dir / "bad.bin", llama2cCheckpointBytes(config, weights));
    CHECK_THROWS_WITH(loadLlama2cModel((dir / "bad.bin").string()),
                      Catch::Contains("tensor output holds") &&
                          Catch::Contains("at [39][15] (value 639 of 640)"));
}

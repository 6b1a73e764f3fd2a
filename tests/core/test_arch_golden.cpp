// Every architecture against llama.cpp: the small random-weight models of tests/data/arch/
// (qwen2, llama with Llama 3 RoPE factors, qwen3, gemma2, gemma3, phi3; float and quantized
// weights), llama.cpp's 64 greedy tokens and its logits at every position, written by
// scripts/golden/make_arch_goldens.py (tests/data/arch/README.md says what each model holds).
//
// Each model is loaded through the real loader and run by a Session with an F32 K/V cache, as
// llama.cpp ran it: one token at a time (every row compared) and with a batched prefill.
//  - tokens: identical to llama.cpp's, all 64;
//  - logits: within 1e-3 + 1e-3 * |ref| + S of llama.cpp's, where S is how far llama.cpp moves
//    from itself when the same ids go through one batched decode instead (its GELU reads an
//    fp16 table, so the gemma models move by up to 4e-3, BF16 activations by up to 0.09; the
//    others by about 1e-5).
//    llama.cpp rounds the activations to the weights' type before each product with them (F16,
//    BF16, Q8_0 / Q8_K blocks), so a non-F32 model has two references: llama.cpp on the file,
//    and llama.cpp on its F32 expansion (every tensor replaced by ggml's dequantization of it).
//    F16/BF16: within the bound of either. Quantized: within the bound of the file (KVScope
//    rounds activations as llama.cpp does), or no further from the expansion than llama.cpp's
//    own logits on the file are (KVScope keeps float activations).
// Run one architecture with its tag, e.g. test_core "[arch][gemma2]".
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/util/json_value.h"

using namespace kvscope;

namespace {

const std::string kArchDir = std::string(KVSCOPE_TEST_DATA_DIR) + "/arch/";

struct ArchGolden {
    std::string name;
    std::string gguf;        // the model file: NAME.gguf, or the one several goldens share
    std::int64_t n_ctx = 0;  // the context llama.cpp ran at (LongRoPE's choice); 0 = any
    std::string architecture;
    bool quantized = false;
    bool has_expand = false;
    float self_spread = 0.0f;       // S: llama.cpp batched vs one token at a time, float path
    float self_spread_file = 0.0f;  // the same on the file (F16/BF16/quantized activations)
    std::int64_t n_vocab = 0;
    std::vector<TokenId> prompt;
    std::vector<TokenId> tokens;  // llama.cpp's greedy tokens
    Matrix logits;                // [n_prompt + n_tokens - 1][n_vocab] llama.cpp on the file
    Matrix expand;                // the same rows on the F32 expansion (not for F32 files)
};

std::vector<TokenId> idsOf(const JsonValue& array) {
    std::vector<TokenId> ids;
    for (const JsonValue& v : array.items())
        ids.push_back(TokenId(v.asInt64()));
    return ids;
}

Matrix readRows(const std::string& file, Eigen::Index rows, Eigen::Index cols) {
    std::ifstream in(kArchDir + file, std::ios::binary);
    REQUIRE(in.good());
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    REQUIRE(bytes.size() == std::size_t(rows * cols * 4));
    Matrix m(rows, cols);  // row-major, as written: row r = position r
    std::memcpy(m.data(), bytes.data(), bytes.size());
    return m;
}

ArchGolden readGolden(const std::string& name) {
    const JsonValue meta = parseJsonFile(kArchDir + name + ".json", 1 << 20);
    ArchGolden g;
    g.name = name;
    const JsonValue* gguf = meta.find("gguf");
    g.gguf = gguf ? gguf->asString() : name + ".gguf";
    if (const JsonValue* n_ctx = meta.find("n_ctx")) g.n_ctx = n_ctx->asInt64();
    g.architecture = meta.at("architecture").asString();
    const std::string types = meta.at("weight_types").asString();
    g.quantized = types != "F32" && types != "F16" && types != "BF16";
    g.has_expand = types != "F32";
    g.self_spread = float(meta.at("llamacpp_max_abs_batched_vs_stepwise").asDouble());
    g.self_spread_file =
        g.has_expand ? float(meta.at("llamacpp_max_abs_batched_vs_stepwise_file").asDouble())
                     : g.self_spread;
    g.n_vocab = meta.at("n_vocab").asInt64();
    g.prompt = idsOf(meta.at("prompt"));
    g.tokens = idsOf(meta.at("tokens"));
    const auto rows = Eigen::Index(g.prompt.size() + g.tokens.size() - 1);
    REQUIRE(meta.at("n_rows").asInt64() == rows);
    g.logits = readRows(name + ".logits.f32", rows, g.n_vocab);
    if (g.has_expand) g.expand = readRows(name + ".expand.f32", rows, g.n_vocab);
    return g;
}

/// The model, or a FAIL naming the model, its architecture and KVScope's reason.
std::shared_ptr<const Model> loadOrFail(const ArchGolden& g) {
    try {
        return loadModel(kArchDir + g.gguf);
    } catch (const std::exception& e) {
        FAIL(g.name << " (architecture " << g.architecture
                    << "): KVScope cannot load it: " << e.what());
    }
    return nullptr;
}

SessionOptions goldenOptions(const ArchGolden& g) {
    SessionOptions options;  // fp32 K/V cache, greedy sampling
    options.record_attention = false;
    // llama.cpp's context where it chose by it (LongRoPE's factor set), else just enough.
    options.max_context =
        g.n_ctx > 0 ? g.n_ctx : std::int64_t(g.prompt.size() + g.tokens.size()) + 1;
    return options;
}

struct Run {
    Matrix logits;                // [rows][n_vocab]: row r = the logits after feeding position r
    std::vector<TokenId> tokens;  // greedy tokens
};

/// One token at a time, as llama.cpp made the golden, fed llama.cpp's ids (teacher forced, so
/// every row is compared on the same input even after a differing choice): every row, and the
/// token chosen after each.
Run runStepwise(const std::shared_ptr<const Model>& model, const ArchGolden& g) {
    Session session(model, goldenOptions(g));
    Run run;
    run.logits.resize(g.logits.rows(), g.n_vocab);
    Eigen::Index row = 0;
    const StepRecord* record = &session.prefill(std::vector<TokenId>{g.prompt[0]});
    run.logits.row(row++) = session.lastLogits().transpose();
    for (std::size_t i = 1; i < g.prompt.size(); ++i) {
        record = &session.stepForced(g.prompt[i]);
        run.logits.row(row++) = session.lastLogits().transpose();
    }
    run.tokens.push_back(record->next_token);
    while (run.tokens.size() < g.tokens.size()) {
        record = &session.stepForced(g.tokens[run.tokens.size() - 1]);
        run.logits.row(row++) = session.lastLogits().transpose();
        run.tokens.push_back(record->next_token);
    }
    return run;
}

/// The prompt in one batched pass, then free-running greedy decoding one token at a time: rows
/// from the prompt's last on.
Run runBatched(const std::shared_ptr<const Model>& model, const ArchGolden& g) {
    Session session(model, goldenOptions(g));
    Run run;
    const Eigen::Index first = Eigen::Index(g.prompt.size()) - 1;
    run.logits.resize(g.logits.rows() - first, g.n_vocab);
    Eigen::Index row = 0;
    const StepRecord* record = &session.prefill(g.prompt);
    run.logits.row(row++) = session.lastLogits().transpose();
    run.tokens.push_back(record->next_token);
    while (run.tokens.size() < g.tokens.size()) {
        record = &session.step();
        run.logits.row(row++) = session.lastLogits().transpose();
        run.tokens.push_back(record->next_token);
    }
    return run;
}

/// Index of the first token that differs, or -1.
int firstMismatch(const std::vector<TokenId>& a, const std::vector<TokenId>& b) {
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        if (a[i] != b[i]) return int(i);
    }
    return a.size() == b.size() ? -1 : int(std::min(a.size(), b.size()));
}

/// The largest |ours - ref| / (1e-3 + 1e-3 |ref| + spread): <= 1 means within the bound.
float boundRatio(const Matrix& ours, const Matrix& ref, float spread) {
    return ((ours - ref).cwiseAbs().array() / (1e-3f + spread + 1e-3f * ref.cwiseAbs().array()))
        .maxCoeff();
}

float maxAbs(const Matrix& a, const Matrix& b) {
    return (a - b).cwiseAbs().maxCoeff();
}

void checkTokens(const ArchGolden& g, const Run& run, const char* how) {
    const int at = firstMismatch(run.tokens, g.tokens);
    std::ostringstream what;
    what << g.name << " (" << how << "): first differing greedy token at step " << at;
    if (at >= 0 && at < int(run.tokens.size()) && at < int(g.tokens.size()))
        what << ": KVScope chose " << run.tokens[at] << ", llama.cpp " << g.tokens[at];
    INFO(what.str());
    CHECK(at == -1);
}

/// The logit checks of the rows `ref` covers (ref and expand: llama.cpp's rows, same positions).
void checkLogits(const ArchGolden& g, const Matrix& ours, const Matrix& ref, const Matrix& expand,
                 const char* how) {
    const float ratio = boundRatio(ours, ref, g.self_spread_file);
    const float err = maxAbs(ours, ref);
    if (!g.has_expand) {
        WARN(g.name << " (" << how << "): max |logit - llama.cpp| " << err
                    << ", worst error / bound " << ratio << " (S = " << g.self_spread << ")");
        CHECK(ratio <= 1.0f);
        return;
    }
    const float ratio_expand = boundRatio(ours, expand, g.self_spread);
    const float ours_vs_expand = maxAbs(ours, expand);
    const float llama_vs_expand = maxAbs(ref, expand);
    WARN(g.name << " (" << how << "): max |logit - llama.cpp on the file| " << err
                << " (bound ratio " << ratio << "); on the F32 expansion: KVScope "
                << ours_vs_expand << " (bound ratio " << ratio_expand << "), llama.cpp on the file "
                << llama_vs_expand << " (S = " << g.self_spread_file << " on the file, "
                << g.self_spread << " on the expansion)");
    if (g.quantized) {
        // Tight (the same activation rounding as llama.cpp) or no further from the expansion.
        CHECK((ratio <= 1.0f || ours_vs_expand <= llama_vs_expand));
    } else {
        CHECK((ratio <= 1.0f || ratio_expand <= 1.0f));
    }
}

void checkArchGolden(const std::string& name) {
    const ArchGolden g = readGolden(name);
    REQUIRE(g.tokens.size() == 64);
    const std::shared_ptr<const Model> model = loadOrFail(g);
    REQUIRE(model->config.vocab == g.n_vocab);

    const Run stepwise = runStepwise(model, g);
    checkTokens(g, stepwise, "one token at a time, teacher forced");
    checkLogits(g, stepwise.logits, g.logits, g.expand, "one token at a time, teacher forced");

    const Run batched = runBatched(model, g);
    checkTokens(g, batched, "batched prompt, free running");
    const Eigen::Index first = Eigen::Index(g.prompt.size()) - 1, n = batched.logits.rows();
    const Matrix ref = g.logits.bottomRows(n);
    const Matrix expand = g.has_expand ? Matrix(g.expand.bottomRows(n)) : Matrix();
    REQUIRE(first + n == g.logits.rows());
    checkLogits(g, batched.logits, ref, expand, "batched prompt, free running");
}

}  // namespace

// The data itself: every golden is what its generator promised (a test of the files, so that
// a regenerated set cannot silently lose its clear margins).
TEST_CASE("arch goldens: llama.cpp's greedy tokens are the argmax of its logits, with margins",
          "[arch][golden-data]") {
    for (const char* name : {"llama-plain-f32",
                             "llama-plain-q8_0",
                             "qwen2-f16",
                             "qwen2-q8_0",
                             "qwen2-q5_0-mix",
                             "llama3-f32",
                             "llama3-q8_0",
                             "llama3-q4_k_m",
                             "qwen3-bf16",
                             "qwen3-q8_0",
                             "qwen3-q4_k",
                             "gemma2-f16",
                             "gemma2-q8_0",
                             "gemma2-q4_k",
                             "gemma3-f16",
                             "gemma3-q8_0",
                             "gemma3-q4_k",
                             "phi3-f16",
                             "phi3-q8_0",
                             "phi3-q4_k",
                             "phi3-longrope-f32-short",
                             "phi3-longrope-f32-long",
                             "qwen2-yarn-f32"}) {
        INFO(name);
        const ArchGolden g = readGolden(name);
        const auto first = Eigen::Index(g.prompt.size()) - 1;
        for (std::size_t k = 0; k < g.tokens.size(); ++k) {
            const Eigen::RowVectorXf row = g.logits.row(first + Eigen::Index(k));
            Eigen::Index top = 0;
            const float best = row.maxCoeff(&top);
            CHECK(top == g.tokens[k]);
            float second = -INFINITY;
            for (Eigen::Index v = 0; v < row.size(); ++v) {
                if (v != top) second = std::max(second, row[v]);
            }
            CHECK(best - second >= 0.05f);
        }
    }
}

// Llama 2 shaped llama (no RoPE factors), which KVScope ran before the other architectures: the
// check of this harness itself.
TEST_CASE("arch golden llama-plain-f32", "[arch][llama]") {
    checkArchGolden("llama-plain-f32");
}
TEST_CASE("arch golden llama-plain-q8_0", "[arch][llama]") {
    checkArchGolden("llama-plain-q8_0");
}
TEST_CASE("arch golden qwen2-f16", "[arch][qwen2]") {
    checkArchGolden("qwen2-f16");
}
TEST_CASE("arch golden qwen2-q8_0", "[arch][qwen2]") {
    checkArchGolden("qwen2-q8_0");
}
TEST_CASE("arch golden qwen2-q5_0-mix", "[arch][qwen2]") {
    checkArchGolden("qwen2-q5_0-mix");
}
// YaRN (Qwen2.5 style, factor 4, original context 32): ggml's ramp between extrapolated and
// interpolated pairs and its magnitude gain.
TEST_CASE("arch golden qwen2-yarn-f32", "[arch][qwen2]") {
    checkArchGolden("qwen2-yarn-f32");
}
TEST_CASE("arch golden llama3-f32", "[arch][llama]") {
    checkArchGolden("llama3-f32");
}
TEST_CASE("arch golden llama3-q8_0", "[arch][llama]") {
    checkArchGolden("llama3-q8_0");
}
TEST_CASE("arch golden llama3-q4_k_m", "[arch][llama]") {
    checkArchGolden("llama3-q4_k_m");
}
TEST_CASE("arch golden qwen3-bf16", "[arch][qwen3]") {
    checkArchGolden("qwen3-bf16");
}
TEST_CASE("arch golden qwen3-q8_0", "[arch][qwen3]") {
    checkArchGolden("qwen3-q8_0");
}
TEST_CASE("arch golden qwen3-q4_k", "[arch][qwen3]") {
    checkArchGolden("qwen3-q4_k");
}
TEST_CASE("arch golden gemma2-f16", "[arch][gemma2]") {
    checkArchGolden("gemma2-f16");
}
TEST_CASE("arch golden gemma2-q8_0", "[arch][gemma2]") {
    checkArchGolden("gemma2-q8_0");
}
TEST_CASE("arch golden gemma2-q4_k", "[arch][gemma2]") {
    checkArchGolden("gemma2-q4_k");
}
TEST_CASE("arch golden gemma3-f16", "[arch][gemma3]") {
    checkArchGolden("gemma3-f16");
}
TEST_CASE("arch golden gemma3-q8_0", "[arch][gemma3]") {
    checkArchGolden("gemma3-q8_0");
}
TEST_CASE("arch golden gemma3-q4_k", "[arch][gemma3]") {
    checkArchGolden("gemma3-q4_k");
}
TEST_CASE("arch golden phi3-f16", "[arch][phi3]") {
    checkArchGolden("phi3-f16");
}
TEST_CASE("arch golden phi3-q8_0", "[arch][phi3]") {
    checkArchGolden("phi3-q8_0");
}
TEST_CASE("arch golden phi3-q4_k", "[arch][phi3]") {
    checkArchGolden("phi3-q4_k");
}
// LongRoPE (Phi-3-mini-128k style): one file, run at a context up to the original one (llama.cpp
// and KVScope use rope_factors_short) and above it (rope_factors_long); the attention factor
// scales cos and sin in both.
TEST_CASE("arch golden phi3-longrope-f32 at context 256: the short factors", "[arch][phi3]") {
    checkArchGolden("phi3-longrope-f32-short");
}
TEST_CASE("arch golden phi3-longrope-f32 at context 512: the long factors", "[arch][phi3]") {
    checkArchGolden("phi3-longrope-f32-long");
}

// The factor set is the context's: KVScope at context 512 (long factors) against llama.cpp at 256
// (short) is far outside the bound (a control for the two tests above).
TEST_CASE("arch golden phi3-longrope-f32: the other context's factors are far from llama.cpp's",
          "[arch][phi3]") {
    ArchGolden g = readGolden("phi3-longrope-f32-short");
    const std::shared_ptr<const Model> model = loadOrFail(g);
    g.n_ctx = 512;
    CHECK(boundRatio(runStepwise(model, g).logits, g.logits, 0.0f) > 100.0f);
}

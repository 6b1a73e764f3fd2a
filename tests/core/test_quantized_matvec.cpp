// Weights kept quantized and read in place: the matrix products decode blocks of rows as they go.
// Expected values are llama.cpp's (tests/data/ggml/model_<type>_{quant,expand}.f32, written by
// scripts/golden/make_quant_model_goldens.py) on the models of quant_test_model.h.
//
// Two schemes (cpu::Activations). The default follows llama.cpp: activations rounded to 8 bits
// (Q8_0 / Q8_K blocks) and integer dot products; its logits must be within 1e-3 + 1e-3 * |ref|
// of llama.cpp's on the quantized file. With float activations the product with a quantized
// matrix is exactly the product with the matrix's fp32 expansion, and the other bound
// holds: those logits are no further from llama.cpp's on the float expansion than llama.cpp's
// own logits on the quantized file are.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/cache/contiguous_kv_cache.h"
#include "core/engine/cpu_backend.h"
#include "core/model/gguf_model.h"
#include "quant_test_model.h"

using namespace kvscope;

namespace {

const std::vector<TokenId> kTokens = {1,      3 + 72,  3 + 101, 3 + 108, 3 + 108, 3 + 111,
                                      3 + 32, 3 + 119, 3 + 111, 3 + 114, 3 + 108, 3 + 100};

/// llama.cpp's logits, [n_tokens][vocab].
Matrix goldenLogits(const std::string& file) {
    std::ifstream in(std::string(KVSCOPE_TEST_DATA_DIR) + "/ggml/" + file, std::ios::binary);
    REQUIRE(in.good());
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    const auto n = Eigen::Index(kTokens.size()), vocab = Eigen::Index(test::QuantTestShape::vocab);
    REQUIRE(bytes.size() == std::size_t(n * vocab * 4));
    Matrix m(n, vocab);
    std::memcpy(m.data(), bytes.data(), bytes.size());
    return m;
}

Matrix logitsOf(const Model& model, int n_threads, cpu::Activations activations) {
    ContiguousKvCache cache(model.config.n_layers, model.config.kvDim(), model.config.max_context);
    ForwardOutput out;
    CpuBackend(n_threads, activations).forward(model, cache, kTokens, 0, {.all_logits = true}, out);
    return out.logits;
}

/// The same model with every matrix expanded to owned fp32.
Model expanded(const Model& model) {
    Model m = model;
    ModelWeights& w = m.weights;
    w.token_embd = w.token_embd.toMatrix();
    for (LayerWeights& l : w.layers) {
        for (WeightMatrix* x : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            *x = x->toMatrix();
    }
    if (w.output.size() > 0) w.output = w.output.toMatrix();
    return m;
}

float maxAbsDiff(const Matrix& a, const Matrix& b) {
    return (a - b).cwiseAbs().maxCoeff();
}

}  // namespace

TEST_CASE("quantized weights stay quantized and agree with llama.cpp's float expansion",
          "[gguf][quantized][golden]") {
    const GgmlType type = GENERATE(GgmlType::Q8_0, GgmlType::Q4_K);
    const std::string name = ggmlTypeName(type);
    INFO("type " << name);
    const Model model =
        loadGgufModel(GgufFile::fromBytes(test::quantTestModelBytes(type), name + ".gguf"));

    // Kept as views of the file's blocks, never expanded.
    CHECK(model.weights.token_embd.isView());
    CHECK(model.weights.token_embd.type() == type);
    for (const LayerWeights& l : model.weights.layers) {
        for (const WeightMatrix* x : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) {
            CHECK(x->isView());
            CHECK(x->type() == type);
        }
    }

    const std::string lower = name == "Q8_0" ? "q8_0" : "q4_k";
    const Matrix llama_quant = goldenLogits("model_" + lower + "_quant.f32");
    const Matrix llama_expand = goldenLogits("model_" + lower + "_expand.f32");

    // llama.cpp's scheme (the default): 8-bit activations, integer dot products, the same at any
    // thread count, and within the bound of llama.cpp's logits on the quantized file.
    const Matrix ours_q8 = logitsOf(model, 1, cpu::Activations::LlamaCpp);
    CHECK((logitsOf(model, 2, cpu::Activations::LlamaCpp).array() == ours_q8.array()).all());
    const Matrix bound = 1e-3f + 1e-3f * llama_quant.array().abs();
    const Matrix excess = (ours_q8 - llama_quant).cwiseAbs() - bound;
    WARN(name << ": max |logit - llama.cpp's on the quantized file| (8-bit activations): "
              << maxAbsDiff(ours_q8, llama_quant));
    CHECK(excess.maxCoeff() <= 0.0f);

    // Float activations: the block-reading products equal the products with the fp32
    // expansion, bit for bit, at any thread count.
    const Matrix ours = logitsOf(model, 1, cpu::Activations::Float);
    const Matrix ours_expanded = logitsOf(expanded(model), 1, cpu::Activations::Float);
    CHECK((ours.array() == ours_expanded.array()).all());
    CHECK((logitsOf(model, 2, cpu::Activations::Float).array() == ours.array()).all());
    const float ours_vs_expand = maxAbsDiff(ours, llama_expand);
    const float llama_vs_expand = maxAbsDiff(llama_quant, llama_expand);
    WARN(name << ": max |logit - llama.cpp on the F32 expansion|: KVScope " << ours_vs_expand
              << ", llama.cpp on the quantized file " << llama_vs_expand);
    // The bound, with room to spare: float activations only reorder sums.
    CHECK(ours_vs_expand <= llama_vs_expand);
    CHECK(ours_vs_expand < 1e-3f);
    CHECK(llama_vs_expand > 1e-3f);  // llama.cpp's 8-bit activations do move the logits

    // Greedy choices agree wherever the reference's top two are not a near-tie.
    int compared = 0;
    for (Eigen::Index i = 0; i < ours.rows(); ++i) {
        std::vector<float> row(llama_expand.row(i).begin(), llama_expand.row(i).end());
        std::partial_sort(row.begin(), row.begin() + 2, row.end(), std::greater<>());
        if (row[0] - row[1] < 2 * llama_vs_expand) continue;
        Eigen::Index ours_top, ref_top;
        ours.row(i).maxCoeff(&ours_top);
        llama_expand.row(i).maxCoeff(&ref_top);
        CHECK(ours_top == ref_top);
        ++compared;
    }
    WARN(name << ": greedy choices compared at " << compared << " of " << ours.rows()
              << " positions (the others are near-ties)");
    CHECK(compared >= 3);
}

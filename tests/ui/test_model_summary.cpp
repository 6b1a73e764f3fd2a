#include <catch2/catch.hpp>

#include "core/model/model_source.h"
#include "ui/window/model_summary.h"

using namespace kvscope;

TEST_CASE("the model summary names the shape and the KV bytes per token", "[ui][model]") {
    const ModelConfig config =
        loadModel("builtin:demo")->config;  // a copy: the model is a temporary
    const QString html = modelSummaryHtml(config);
    CHECK(html.contains(QString::fromStdString(config.name)));
    CHECK(
        html.contains(QString("%1 query, %2 KV (GQA)").arg(config.n_heads).arg(config.n_kv_heads)));
    CHECK(html.contains(QString("%1 tokens").arg(config.max_context)));
    CHECK(html.contains("KiB") != html.contains(" B per layer"));  // an IEC unit, named
    CHECK_FALSE(html.contains("as trained"));
}

TEST_CASE("the model summary says when the context is the one a known model was trained at",
          "[ui][model]") {
    ModelConfig config = loadModel("builtin:demo")->config;
    config.d_model = 64;  // the shape of tinyllamas stories260K
    config.n_layers = 5;
    config.n_heads = 8;
    config.n_kv_heads = 4;
    config.vocab = 512;
    config.max_context = 512;
    CHECK(modelSummaryHtml(config).contains("512 tokens, as trained"));
    config.max_context = 256;
    CHECK(modelSummaryHtml(config).contains("256 tokens<"));
}

TEST_CASE("the KV head note follows MHA, GQA and MQA", "[ui][model]") {
    const ModelConfig mha =
        loadModel("builtin:demo-mha")->config;  // a copy: the model is a temporary
    CHECK(kvHeadNote(mha, 3).contains("own"));

    ModelConfig gqa = loadModel("builtin:demo")->config;  // 8 query heads, 4 KV heads
    REQUIRE(gqa.kvGroupSize() == 2);
    CHECK(kvHeadNote(gqa, 5) ==
          QString::fromUtf8("Reads KV head 2, shared by query heads 4\u20135."));

    const ModelConfig mqa =
        loadModel("builtin:demo-mqa")->config;  // a copy: the model is a temporary
    CHECK(kvHeadNote(mqa, 6) ==
          QString::fromUtf8("Reads KV head 0, shared by query heads 0\u2013%1.")
              .arg(mqa.n_heads - 1));
}

TEST_CASE("the model summary names the RoPE scaling: LongRoPE's set at the context, YaRN",
          "[ui][model][rope]") {
    // phi3-longrope-f32 (tests/data/arch/README.md): original context 256 in a context_length
    // of 8192, attention factor sqrt(1 + ln 32 / ln 256) = 1.2748.
    const ModelConfig phi3 =
        loadModel(KVSCOPE_SOURCE_DIR "/tests/data/arch/phi3-longrope-f32.gguf")->config;
    const QString at_256 = modelSummaryHtml(phi3, 256);
    INFO(at_256.toStdString());
    CHECK(at_256.contains("<td>RoPE</td>"));
    CHECK(at_256.contains("LongRoPE short factors (context 256 &lt;= original 256; long above)"));
    CHECK(at_256.contains("attention factor 1.275 (cos and sin scaled)"));
    CHECK(modelSummaryHtml(phi3, 257).contains(
        "LongRoPE long factors (context 257 &gt; original 256)"));
    CHECK(modelSummaryHtml(phi3).contains("long factors (context 8192"));  // the model's own
    // qwen2-yarn-f32: YaRN factor 4 over an original 32, the default betas 32 and 1; magnitudes
    // x 1 + 0.1 ln 4 = 1.1386, shown to 4 digits.
    const ModelConfig qwen2 =
        loadModel(KVSCOPE_SOURCE_DIR "/tests/data/arch/qwen2-yarn-f32.gguf")->config;
    const QString yarn = modelSummaryHtml(qwen2);
    INFO(yarn.toStdString());
    CHECK(
        yarn.contains("base 1000000; YaRN, factor 4 over original 32 (beta fast 32, slow 1; "
                      "cos and sin x 1.139)"));
    // Llama 3 (llama3-f32: rope_freqs.weight, base 500000).
    const auto llama3 = loadModel(KVSCOPE_SOURCE_DIR "/tests/data/arch/llama3-f32.gguf");
    REQUIRE(llama3->weights.rope_freqs.size() > 0);
    CHECK(modelSummaryHtml(llama3->config, 0, true)
              .contains("base 500000; Llama 3 frequency factors per pair (rope_freqs.weight)"));
    // No scaling: the base only.
    const ModelConfig demo = loadModel("builtin:demo")->config;
    CHECK(modelSummaryHtml(demo).contains(
        QString("<td>RoPE</td><td>&nbsp;&nbsp;base %1</td>").arg(double(demo.rope_theta))));
}

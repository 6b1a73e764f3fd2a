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

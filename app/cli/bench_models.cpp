#include "app/cli/bench_models.h"

#include "core/model/model_source.h"
#include "core/model/random_weights.h"
#include "core/model/tokenizer.h"

namespace kvscope::cli {

namespace {
constexpr std::uint64_t kBenchWeightSeed = 15;
}  // namespace

ModelConfig config15m() {
    ModelConfig config;
    config.name = "random-15m";
    config.n_layers = 6;
    config.d_model = 288;
    config.n_heads = 6;
    config.n_kv_heads = 6;
    config.head_dim = 48;
    config.d_ff = 768;
    config.vocab = 32000;
    config.max_context = 2048;
    config.tied_output = true;  // as stories15M: the classifier is the embedding
    return config;
}

std::vector<BenchModel> benchModels() {
    std::vector<BenchModel> models;
    models.push_back({"builtin:demo", loadModel("builtin:demo")});

    auto model = std::make_shared<Model>();
    model->config = config15m();
    model->config.validate();
    model->weights = randomWeights(model->config, kBenchWeightSeed);
    // Only the prompt ids the bench makes up are fed; any tokenizer with BOS/EOS will do.
    model->tokenizer = std::make_shared<ByteTokenizer>();
    models.push_back({"random-15m (d_model 288, 6 layers, vocab 32000)", model});
    return models;
}

}  // namespace kvscope::cli

#include "app/cli/bench/bench_models.h"

#include <filesystem>

#include "core/model/gguf_model.h"
#include "core/model/model_source.h"
#include "core/model/random_weights.h"
#include "core/model/tokenizer.h"
#include "core/util/error.h"

#ifndef KVSCOPE_SHARED_MODELS_DIR
#define KVSCOPE_SHARED_MODELS_DIR "../shared/models"
#endif

namespace kvscope::cli {

namespace {

constexpr std::uint64_t kBenchWeightSeed = 15;
constexpr std::string_view k15mAlias = "15M";
constexpr std::string_view kStoriesAlias = "stories260K";
// stories260K.gguf says llama.context_length 2048, but the model was trained at 512 tokens
// (shared/models/README.md).
constexpr std::int64_t kStoriesTrainedContext = 512;

std::shared_ptr<const Model> random15m() {
    auto model = std::make_shared<Model>();
    model->config = config15m();
    model->config.validate();
    model->weights = randomWeights(model->config, kBenchWeightSeed);
    // Only the prompt ids the bench makes up are fed; any tokenizer with BOS/EOS will do.
    model->tokenizer = std::make_shared<ByteTokenizer>();
    return model;
}

/// The 15M-class shape with rows that are whole k-quant blocks, in `type`.
std::shared_ptr<const Model> random15mBlocks(GgmlType type) {
    auto model = std::make_shared<Model>();
    model->config = config15mBlocks();
    model->config.name = "random-15m-" + ggmlTypeName(type);
    model->config.validate();
    model->weights = type == GgmlType::F32
                         ? randomWeights(model->config, kBenchWeightSeed)
                         : randomQuantizedWeights(model->config, type, kBenchWeightSeed);
    model->tokenizer = std::make_shared<ByteTokenizer>();
    return model;
}

std::shared_ptr<const Model> stories260k() {
    const std::string path = stories260kPath();
    if (!std::filesystem::is_regular_file(path))
        throw InputError("stories260K: no such file " + path);
    GgufModelOptions options;
    options.max_context_cap = kStoriesTrainedContext;
    Model model = loadGgufModel(path, options);
    model.config.name = std::string(kStoriesAlias);
    return std::make_shared<const Model>(std::move(model));
}

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

ModelConfig config15mBlocks() {
    ModelConfig config;
    config.name = "random-15m-blocks";
    config.n_layers = 4;
    config.d_model = 512;
    config.n_heads = 8;
    config.n_kv_heads = 8;
    config.head_dim = 64;
    config.d_ff = 1536;
    config.vocab = 4096;
    config.max_context = 2048;
    config.tied_output = true;
    return config;
}

std::string stories260kPath() {
    const std::filesystem::path path =
        std::filesystem::path(KVSCOPE_SHARED_MODELS_DIR) / "stories260K.gguf";
    return path.lexically_normal().string();  // "/src/../shared/..." -> "/shared/..."
}

std::string defaultBenchModels() {
    // Built by appending: GCC 12 warns falsely on "," + std::string.
    std::string list = "builtin:demo,";
    list += k15mAlias;
    std::error_code error;
    if (std::filesystem::is_regular_file(stories260kPath(), error)) {
        list += ',';
        list += kStoriesAlias;
    }
    return list;
}

namespace {

/// loadBenchModel without the entry.
BenchModel buildBenchModel(std::string_view entry) {
    try {
        if (entry == k15mAlias)
            return {"random-15m (d_model 288, 6 layers, vocab 32000)", random15m()};
        for (const GgmlType type : {GgmlType::F32, GgmlType::Q8_0, GgmlType::Q4_K}) {
            if (entry == std::string(k15mAlias) + "-" + ggmlTypeName(type)) {
                return {"random-15m-" + ggmlTypeName(type) +
                            " (d_model 512, 4 layers, d_ff 1536, vocab 4096)",
                        random15mBlocks(type)};
            }
        }
        if (entry == kStoriesAlias)
            return {"stories260K (GGUF, trained at context 512)", stories260k()};
        return {std::string(entry), loadModel(entry)};
    } catch (const InputError& e) {
        throw InputError(std::string("--models: ") + e.what());
    }
}

}  // namespace

BenchModel loadBenchModel(std::string_view entry) {
    BenchModel loaded = buildBenchModel(entry);
    loaded.entry = std::string(entry);
    return loaded;
}

std::vector<BenchModel> benchModels(std::string_view list) {
    std::vector<BenchModel> models;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = list.find(',', start);
        const std::string_view entry = list.substr(start, comma - start);
        if (entry.empty()) {
            throw InputError("--models: empty entry in '" + std::string(list) +
                             "' (expected a comma-separated list such as builtin:demo,15M)");
        }
        models.push_back(loadBenchModel(entry));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return models;
}

}  // namespace kvscope::cli

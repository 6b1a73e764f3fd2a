#include "core/model/model_source.h"

#include <filesystem>
#include <fstream>
#include <utility>

#include "core/model/builtin_demo.h"
#include "core/model/gguf_model.h"
#include "core/model/llama2c_model.h"
#include "core/model/trained_context.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

constexpr std::string_view kBuiltinPrefix = "builtin:";

const std::pair<const char*, DemoVariant> kBuiltins[] = {
    {"builtin:demo", DemoVariant::Default},
    {"builtin:demo-mha", DemoVariant::Mha},
    {"builtin:demo-gqa", DemoVariant::Gqa},
    {"builtin:demo-mqa", DemoVariant::Mqa},
};

std::string knownBuiltins() {
    std::string known;
    for (const std::string& name : builtinModelNames())
        known += (known.empty() ? "" : ", ") + name;
    return known;
}

bool startsWithGgufMagic(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    return in.read(magic, sizeof magic) && std::string_view(magic, 4) == "GGUF";
}

}  // namespace

std::vector<std::string> builtinModelNames() {
    std::vector<std::string> names;
    for (const auto& [name, variant] : kBuiltins)
        names.emplace_back(name);
    return names;
}

ModelFormat detectModelFormat(std::string_view reference) {
    const std::string ref(reference);
    if (reference.starts_with(kBuiltinPrefix)) {
        for (const auto& [name, variant] : kBuiltins)
            if (reference == name) return ModelFormat::Builtin;
        throw InputError("unknown model '" + ref + "' (built-in models: " + knownBuiltins() + ")");
    }
    std::error_code error;
    if (std::filesystem::is_directory(ref, error))
        throw InputError("model '" + ref + "' is a directory, not a model file");
    if (std::filesystem::exists(ref, error) && !std::filesystem::is_regular_file(ref, error)) {
        throw InputError("model '" + ref +
                         "' is not a regular file (a device, a pipe or a socket); a model is a "
                         ".gguf file or a llama2.c .bin checkpoint");
    }
    if (!std::filesystem::is_regular_file(ref, error)) {
        throw InputError("model '" + ref + "': no such file (built-in models: " + knownBuiltins() +
                         "; files: .gguf, or a llama2.c .bin with tokenizer.bin beside it)");
    }
    if (startsWithGgufMagic(ref)) return ModelFormat::Gguf;
    if (std::filesystem::path(ref).extension() == ".bin") return ModelFormat::Llama2c;
    throw InputError("model '" + ref +
                     "': neither a GGUF file (it does not start with 'GGUF') nor a llama2.c "
                     "checkpoint (.bin)");
}

std::shared_ptr<const Model> loadModel(std::string_view reference) {
    switch (detectModelFormat(reference)) {
        case ModelFormat::Builtin:
            for (const auto& [name, variant] : kBuiltins)
                if (reference == name)
                    return std::make_shared<const Model>(makeBuiltinDemo(variant));
            break;
        case ModelFormat::Gguf: {
            // A model known to be trained on fewer positions than its file states runs capped
            // at its training context (core/model/trained_context.h).
            const GgufFile file = GgufFile::open(std::string(reference));
            GgufModelOptions options;
            if (const auto trained = knownTrainedContext(readGgufConfig(file)))
                options.max_context_cap = trained->tokens;
            return std::make_shared<const Model>(loadGgufModel(file, options));
        }
        case ModelFormat::Llama2c:
            return std::make_shared<const Model>(loadLlama2cModel(std::string(reference)));
    }
    throw std::logic_error("loadModel: unhandled model format");
}

}  // namespace kvscope

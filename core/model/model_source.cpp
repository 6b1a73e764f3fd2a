#include "core/model/model_source.h"

#include <utility>

#include "core/model/builtin_demo.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

const std::pair<const char*, DemoVariant> kBuiltins[] = {
    {"builtin:demo", DemoVariant::Default},
    {"builtin:demo-mha", DemoVariant::Mha},
    {"builtin:demo-gqa", DemoVariant::Gqa},
    {"builtin:demo-mqa", DemoVariant::Mqa},
};

}  // namespace

std::vector<std::string> builtinModelNames() {
    std::vector<std::string> names;
    for (const auto& [name, variant] : kBuiltins)
        names.emplace_back(name);
    return names;
}

std::shared_ptr<const Model> loadModel(std::string_view reference) {
    for (const auto& [name, variant] : kBuiltins) {
        if (reference == name) return std::make_shared<const Model>(makeBuiltinDemo(variant));
    }
    std::string known;
    for (const std::string& name : builtinModelNames())
        known += (known.empty() ? "" : ", ") + name;
    throw InputError("unknown model '" + std::string(reference) + "' (known: " + known + ")");
}

}  // namespace kvscope

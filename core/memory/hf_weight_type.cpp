#include "core/memory/hf_weight_type.h"

#include <functional>
#include <map>
#include <string>

namespace kvscope {

namespace {

/// torch dtype names as configs write them -> bits per value.
std::int64_t bitsOf(std::string_view dtype) {
    static const std::map<std::string, std::int64_t, std::less<>> kBits = {
        {"float64", 64},  {"float32", 32},      {"float", 32},      {"float16", 16}, {"half", 16},
        {"bfloat16", 16}, {"float8_e4m3fn", 8}, {"float8_e5m2", 8}, {"int8", 8},     {"uint8", 8},
    };
    const auto it = kBits.find(dtype);
    return it == kBits.end() ? 0 : it->second;
}

ConfigKey findHereOrAtTop(const ConfigKeys& keys, std::initializer_list<std::string_view> names) {
    const ConfigKey key = keys.find(names);
    return key ? key : keys.findAtTop(names);
}

bool isTrue(const JsonValue* value) {
    return value && value->isBool() && value->asBool();
}

/// Quantized checkpoints store weights narrower than torch_dtype (their compute type).
void readQuantization(const ConfigKeys& keys, ModelShape& shape) {
    const ConfigKey key = findHereOrAtTop(keys, {"quantization_config"});
    if (!key) return;
    const JsonValue& quant = *key.value;
    const JsonValue* method = quant.find("quant_method");
    const std::string method_name = method && method->isString() ? method->asString() : "";
    std::int64_t bits = 0;
    std::string from;
    if (const JsonValue* value = quant.find("bits"); value && !value->isNull()) {
        bits = value->asInt64();
        from = "'bits'";
    } else if (method_name == "fp8") {
        bits = 8;
        from = "'quant_method' = 'fp8'";
    } else if (isTrue(quant.find("load_in_4bit"))) {
        bits = 4;
        from = "'load_in_4bit' = true";
    } else if (isTrue(quant.find("load_in_8bit"))) {
        bits = 8;
        from = "'load_in_8bit' = true";
    }
    const std::string origin = "config.json key " + singleQuoted(key.name);
    if (bits <= 0 || bits > 64) {
        shape.weight_bits = 0;
        shape.setOrigin("weight_bits", origin + " (quant_method " + singleQuoted(method_name) +
                                           ") not understood: unknown");
        return;
    }
    shape.weight_bits = bits;
    shape.setOrigin("weight_bits", origin + " " + from + ": " + std::to_string(bits) +
                                       " bits per weight (scales not counted)");
}

}  // namespace

void readWeightType(const ConfigKeys& keys, ModelShape& shape) {
    if (const ConfigKey key = findHereOrAtTop(keys, {"torch_dtype", "dtype"})) {
        shape.weight_dtype = key.value->asString();
        shape.weight_bits = bitsOf(shape.weight_dtype);
        // "auto" leaves it to the checkpoint; any other name must be one of torch's dtypes.
        if (shape.weight_bits == 0 && shape.weight_dtype != "auto") {
            key.value->fail("'" + shape.weight_dtype +
                            "' is not a torch dtype KVScope knows (float64, float32, float, "
                            "float16, half, bfloat16, float8_e4m3fn, float8_e5m2, int8, uint8, "
                            "or auto)");
        }
        shape.setOrigin("weight_bits",
                        "config.json key " + singleQuoted(key.name) + " = " +
                            singleQuoted(shape.weight_dtype) +
                            (shape.weight_bits == 0 ? " (not a known dtype; unknown)" : ""));
    } else {
        shape.setOrigin("weight_bits", "config.json: no 'torch_dtype', unknown");
    }
    readQuantization(keys, shape);
}

}  // namespace kvscope

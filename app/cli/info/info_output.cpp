#include "app/cli/info/info_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/cli/config_json.h"
#include "app/cli/text_format.h"
#include "core/model/trained_context.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

constexpr std::size_t kLabelWidth = 18;
constexpr const char* kShapeOrder = "outermost first: a matrix is [rows x cols]";

/// "256 B", or "1280 B (1.25 KiB)": the exact count and, from 1 KiB on, the IEC size.
std::string exactBytes(std::int64_t bytes) {
    if (bytes < 1024) return formatBytes(bytes);
    return std::to_string(bytes) + " B (" + formatBytes(bytes) + ")";
}

/// Whole numbers in full (10000, 100000000), others in "%g" form (1e-05).
std::string shortFloat(double value) {
    char text[32];
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        std::snprintf(text, sizeof text, "%.0f", value);
    } else {
        std::snprintf(text, sizeof text, "%g", value);
    }
    return text;
}

/// "[512 x 64]".
std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) text += " x ";
        text += std::to_string(shape[i]);
    }
    return text + "]";
}

std::string attentionText(const ModelConfig& c) {
    const std::string variant(toString(c.attentionVariant()));
    switch (c.attentionVariant()) {
        case AttentionVariant::MHA:
            return variant + " (each query head has its own KV head)";
        case AttentionVariant::GQA:
            return variant + " (groups of " + std::to_string(c.kvGroupSize()) +
                   " query heads share a KV head)";
        case AttentionVariant::MQA:
            return variant + " (all " + std::to_string(c.n_heads) + " query heads share one)";
    }
    return variant;
}

std::string tokenText(const std::optional<TokenSummary>& token) {
    if (!token) return "-";
    if (token->label.empty()) return std::to_string(token->id) + " (outside the vocabulary)";
    return std::to_string(token->id) + "  " + terminalSafe(token->label);
}

void row(std::ostream& out, std::string_view label, const std::string& value) {
    out << "  " << padRight(label, kLabelWidth) << terminalSafe(value) << "\n";
}

void writeOverview(const ModelInfo& info, std::ostream& out) {
    out << terminalSafe(info.config.name) << "\n";
    std::string source = info.formatLabel();
    if (info.format != ModelFormat::Builtin) {
        source += ", " + info.reference + ", " + exactBytes(info.file_bytes);
    }
    row(out, "source", source);
    row(out, "architecture", info.architecture.empty() ? "-" : info.architecture);
    row(out, "runs", info.cannot_run.empty() ? "yes" : "no: " + info.cannot_run);
}

void writeShape(const ModelInfo& info, std::ostream& out) {
    const ModelConfig& c = info.config;
    out << "\nShape\n";
    if (!info.shape_problem.empty()) {
        row(out, "not read", info.shape_problem);
        return;
    }
    row(out, "layers", std::to_string(c.n_layers));
    row(out, "d_model", std::to_string(c.d_model));
    row(out, "heads",
        std::to_string(c.n_heads) + " query, " + std::to_string(c.n_kv_heads) + " KV");
    row(out, "attention", attentionText(c));
    row(out, "head_dim", std::to_string(c.head_dim));
    row(out, "d_ff", std::to_string(c.d_ff));
    row(out, "vocab", std::to_string(c.vocab));
    row(out, "context length", std::to_string(c.max_context));
    if (const auto trained = knownTrainedContext(c); trained && trained->tokens < c.max_context) {
        row(out, "trained context",
            std::to_string(trained->tokens) + " (" + trained->model + "; runs stop there)");
    }
    row(out, "layer pattern", c.layerPatternText());
    if (c.arch == Architecture::Phi3 && c.sliding_window > 0) {
        row(out, "",
            "(phi3.attention.sliding_window on every layer, as Hugging Face's Phi-3; llama.cpp "
            "ignores it)");
    }
    row(out, "rope theta", shortFloat(c.rope_theta));
    if (const std::string scaling = c.ropeScalingText(c.max_context); !scaling.empty())
        row(out, "rope scaling", scaling + ", at this context");
    if (c.rope_theta_local > 0.0f && c.sliding_window > 0)
        row(out, "local rope theta", shortFloat(c.rope_theta_local));
    row(out, "norm eps", shortFloat(c.norm_eps));
    row(out, "output",
        c.tied_output ? "tied (the classifier is token_embd)" : "untied (its own output.weight)");
}

void writeWeights(const ModelInfo& info, std::ostream& out) {
    out << "\nWeights\n";
    row(out, "parameters", groupDigits(info.parameters));
    row(out, "stored", exactBytes(info.weight_bytes));
    for (const TensorTypeCount& t : info.tensor_types) {
        row(out, "  " + t.type,
            std::to_string(t.count) + (t.count == 1 ? " tensor, " : " tensors, ") +
                formatBytes(t.bytes));
    }
}

void writeTokenizer(const TokenizerSummary& t, std::ostream& out) {
    out << "\nTokenizer\n";
    row(out, "model", t.model);
    row(out, "vocab", std::to_string(t.vocab));
    row(out, "BOS", tokenText(t.bos));
    row(out, "EOS", tokenText(t.eos));
}

void writeKvCache(const ModelInfo& info, std::ostream& out) {
    const ModelConfig& c = info.config;
    const KvSizes kv = kvSizes(c);
    const std::size_t label_width = 28, column_width = 22;
    const auto kvRow = [&](const std::string& label, const std::int64_t(&bytes)[2]) {
        out << "  " << padRight(label, label_width) << padRight(exactBytes(bytes[0]), column_width)
            << exactBytes(bytes[1]) << "\n";
    };
    out << "\nKV cache (K and V: 2 x " << c.n_kv_heads << " KV heads x " << c.head_dim
        << " values per token and layer)\n"
        << "  " << padRight("", label_width) << padRight("fp32", column_width) << "fp16\n";
    kvRow("per token, per layer", kv.per_token_per_layer);
    kvRow("per token, " + std::to_string(c.n_layers) + " layers", kv.per_token);
    kvRow("at context " + std::to_string(c.max_context), kv.at_context);
}

void writeTensors(const ModelInfo& info, std::ostream& out) {
    std::size_t name_width = 4, type_width = 4, shape_width = 5;
    for (const TensorSummary& t : info.tensors) {
        name_width = std::max(name_width, displayWidth(terminalSafe(t.name)));
        type_width = std::max(type_width, t.type.size());
        shape_width = std::max(shape_width, shapeText(t.shape).size());
    }
    out << "\nTensors (" << info.tensors.size() << "; shape " << kShapeOrder << ")\n"
        << "  " << padRight("name", name_width + 2) << padRight("type", type_width + 2)
        << padRight("shape", shape_width + 2) << padLeft("bytes", 12) << "\n";
    for (const TensorSummary& t : info.tensors) {
        out << "  " << padRight(terminalSafe(t.name), name_width + 2)
            << padRight(t.type, type_width + 2) << padRight(shapeText(t.shape), shape_width + 2)
            << padLeft(formatBytes(t.bytes), 12) << "\n";
    }
}

void writeMetadata(const ModelInfo& info, std::ostream& out) {
    std::size_t key_width = 3, type_width = 4;
    for (const MetadataSummary& m : info.metadata) {
        key_width = std::max(key_width, displayWidth(terminalSafe(m.key)));
        type_width = std::max(type_width, m.type.size());
    }
    out << "\nMetadata (" << info.metadata.size() << " keys; arrays as [count x type])\n"
        << "  " << padRight("key", key_width + 2) << padRight("type", type_width + 2) << "value\n";
    for (const MetadataSummary& m : info.metadata) {
        out << "  " << padRight(terminalSafe(m.key), key_width + 2)
            << padRight(m.type, type_width + 2) << terminalSafe(m.value) << "\n";
    }
}

// --- JSON -----------------------------------------------------------------------------------

std::string_view formatName(ModelFormat format) {
    switch (format) {
        case ModelFormat::Builtin:
            return "builtin";
        case ModelFormat::Gguf:
            return "gguf";
        case ModelFormat::Llama2c:
            return "llama2c";
    }
    return "?";
}

void writeShapeJson(JsonWriter& json, const ModelConfig& c) {
    json.beginObject();
    writeShapeFields(json, c);
    json.field("context_length", c.max_context);
    if (const auto trained = knownTrainedContext(c); trained && trained->tokens < c.max_context)
        json.field("trained_context", trained->tokens);
    json.field("rope_theta", c.rope_theta);
    json.field("norm_eps", c.norm_eps);
    json.field("tied_output", c.tied_output);
    json.field("rope_scaling", toString(c.rope_scaling));
    json.field("rope_original_context", c.ropeOrigContext());
    json.field("rope_attn_factor", c.rope_attn_factor);
    json.field("sliding_window", c.sliding_window);
    json.key("local_layers");
    json.beginArray();
    for (std::size_t l = 0; l < c.local_layers.size(); ++l)  // empty when every layer is global
        if (c.layerWindow(std::int64_t(l)) > 0) json.value(std::int64_t(l));
    json.endArray();
    json.endObject();
}

/// `text`, or null when it is empty.
void writeOptionalText(JsonWriter& json, std::string_view name, const std::string& text) {
    json.key(name);
    if (text.empty())
        json.null();
    else
        json.value(text);
}

void writeTokenJson(JsonWriter& json, std::string_view name,
                    const std::optional<TokenSummary>& token) {
    json.key(name);
    if (!token) {
        json.null();
        return;
    }
    json.beginObject();
    json.field("id", token->id);
    json.key("label");
    if (token->label.empty())
        json.null();
    else
        json.value(token->label);
    json.endObject();
}

void writeTokenizerJson(JsonWriter& json, const ModelInfo& info) {
    const TokenizerSummary& t = info.tokenizer;
    json.beginObject();
    json.field("model", t.model);
    if (info.format == ModelFormat::Gguf) json.field("gguf_model", t.gguf_model);
    json.field("vocab", t.vocab);
    writeTokenJson(json, "bos", t.bos);
    writeTokenJson(json, "eos", t.eos);
    json.endObject();
}

void writePairJson(JsonWriter& json, std::string_view name, const std::int64_t (&bytes)[2]) {
    json.key(name).beginObject();
    json.field("fp32", bytes[0]);
    json.field("fp16", bytes[1]);
    json.endObject();
}

void writeKvJson(JsonWriter& json, const ModelConfig& c) {
    const KvSizes kv = kvSizes(c);
    json.beginObject();
    writePairJson(json, "bytes_per_token_per_layer", kv.per_token_per_layer);
    writePairJson(json, "bytes_per_token", kv.per_token);
    json.field("context_length", c.max_context);
    writePairJson(json, "bytes_at_context_length", kv.at_context);
    json.endObject();
}

void writeIntArray(JsonWriter& json, std::string_view name, const std::vector<std::int64_t>& v) {
    json.key(name).beginArray();
    for (std::int64_t x : v)
        json.value(x);
    json.endArray();
}

void writeTensorsJson(JsonWriter& json, const ModelInfo& info) {
    json.beginArray();
    for (const TensorSummary& t : info.tensors) {
        json.beginObject();
        json.field("name", t.name);
        json.field("type", t.type);
        writeIntArray(json, "shape", t.shape);
        if (info.format == ModelFormat::Gguf)
            writeIntArray(json, "ne", {t.shape.rbegin(), t.shape.rend()});
        json.field("n_elements", t.n_elements);
        json.field("bytes", t.bytes);
        json.endObject();
    }
    json.endArray();
}

/// A scalar as JSON: numbers as numbers, the whole string.
void writeScalarJson(JsonWriter& json, const GgufValue& v) {
    if (isUnsignedInteger(v.type())) {
        json.value(v.asUnsigned());
    } else if (isSignedInteger(v.type())) {
        json.value(v.asSigned());
    } else if (v.type() == GgufType::Float32) {
        json.value(float(v.asFloat()));  // shortest float32 form: 1e-05, not 9.99999974e-06
    } else if (v.type() == GgufType::Float64) {
        json.value(v.asFloat());
    } else if (v.type() == GgufType::Bool) {
        json.value(v.asBool());
    } else if (v.type() == GgufType::String) {
        json.value(v.asString());
    } else {
        json.value(v.summary());
    }
}

/// Scalars with their whole value; arrays summarised ("[512 x string]") with their count.
void writeMetadataJson(JsonWriter& json, const std::vector<MetadataSummary>& metadata) {
    json.beginArray();
    for (const MetadataSummary& m : metadata) {
        json.beginObject();
        json.field("key", m.key);
        json.field("type", m.type);
        json.key("value");
        if (m.scalar) {
            writeScalarJson(json, *m.scalar);
        } else {
            json.value(m.value);
            json.field("count", m.count);
        }
        json.endObject();
    }
    json.endArray();
}

}  // namespace

void writeInfoText(const ModelInfo& info, std::ostream& out) {
    writeOverview(info, out);
    writeShape(info, out);
    writeWeights(info, out);
    writeTokenizer(info.tokenizer, out);
    if (info.shape_problem.empty()) writeKvCache(info, out);
    writeTensors(info, out);
    if (info.format == ModelFormat::Gguf) writeMetadata(info, out);
    out << "\nBytes in IEC units: 1 KiB = 1024 B, 1 MiB = 1024 KiB, 1 GiB = 1024 MiB.\n";
}

void writeInfoJson(const ModelInfo& info, std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    json.field("reference", info.reference);
    json.field("format", formatName(info.format));
    json.field("format_label", info.formatLabel());
    if (info.format == ModelFormat::Gguf) json.field("gguf_version", info.gguf_version);
    json.field("file_bytes", info.file_bytes);
    json.field("name", info.config.name);
    json.field("architecture", info.architecture);
    json.field("runs", info.cannot_run.empty());
    writeOptionalText(json, "cannot_run", info.cannot_run);
    json.key("shape");
    if (info.shape_problem.empty())
        writeShapeJson(json, info.config);
    else
        json.null();
    writeOptionalText(json, "shape_problem", info.shape_problem);
    json.field("parameters", info.parameters);
    json.field("weight_bytes", info.weight_bytes);
    json.key("tensor_types").beginArray();
    for (const TensorTypeCount& t : info.tensor_types) {
        json.beginObject();
        json.field("type", t.type);
        json.field("count", t.count);
        json.field("bytes", t.bytes);
        json.endObject();
    }
    json.endArray();
    json.key("tokenizer");
    writeTokenizerJson(json, info);
    json.key("kv_cache");
    if (info.shape_problem.empty())
        writeKvJson(json, info.config);
    else
        json.null();
    json.field("tensor_shape_order", kShapeOrder);
    json.key("tensors");
    writeTensorsJson(json, info);
    json.key("metadata");
    writeMetadataJson(json, info.metadata);
    json.endObject();
    out << "\n";
}

}  // namespace kvscope::cli

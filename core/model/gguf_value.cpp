#include "core/model/gguf_value.h"

#include <cstdio>
#include <stdexcept>

namespace kvscope {

std::optional<GgufType> ggufTypeFromId(std::uint32_t id) {
    if (id > std::uint32_t(GgufType::Float64)) return std::nullopt;
    return GgufType(id);
}

std::string_view ggufTypeName(GgufType type) {
    switch (type) {
        case GgufType::Uint8:
            return "uint8";
        case GgufType::Int8:
            return "int8";
        case GgufType::Uint16:
            return "uint16";
        case GgufType::Int16:
            return "int16";
        case GgufType::Uint32:
            return "uint32";
        case GgufType::Int32:
            return "int32";
        case GgufType::Float32:
            return "float32";
        case GgufType::Bool:
            return "bool";
        case GgufType::String:
            return "string";
        case GgufType::Array:
            return "array";
        case GgufType::Uint64:
            return "uint64";
        case GgufType::Int64:
            return "int64";
        case GgufType::Float64:
            return "float64";
    }
    return "invalid";
}

std::int64_t ggufFixedSize(GgufType type) {
    switch (type) {
        case GgufType::Uint8:
        case GgufType::Int8:
        case GgufType::Bool:
            return 1;
        case GgufType::Uint16:
        case GgufType::Int16:
            return 2;
        case GgufType::Uint32:
        case GgufType::Int32:
        case GgufType::Float32:
            return 4;
        case GgufType::Uint64:
        case GgufType::Int64:
        case GgufType::Float64:
            return 8;
        case GgufType::String:
        case GgufType::Array:
            return 0;
    }
    return 0;
}

bool isUnsignedInteger(GgufType type) {
    return type == GgufType::Uint8 || type == GgufType::Uint16 || type == GgufType::Uint32 ||
           type == GgufType::Uint64;
}

bool isSignedInteger(GgufType type) {
    return type == GgufType::Int8 || type == GgufType::Int16 || type == GgufType::Int32 ||
           type == GgufType::Int64;
}

bool isFloat(GgufType type) {
    return type == GgufType::Float32 || type == GgufType::Float64;
}

namespace {

[[noreturn]] void misuse(const char* what) {
    throw std::logic_error(what);
}

}  // namespace

GgufValue GgufValue::ofUnsigned(GgufType type, std::uint64_t value) {
    if (!isUnsignedInteger(type)) misuse("GgufValue::ofUnsigned: not an unsigned type");
    GgufValue v;
    v.m_type = type;
    v.m_data = value;
    return v;
}

GgufValue GgufValue::ofSigned(GgufType type, std::int64_t value) {
    if (!isSignedInteger(type)) misuse("GgufValue::ofSigned: not a signed type");
    GgufValue v;
    v.m_type = type;
    v.m_data = value;
    return v;
}

GgufValue GgufValue::ofFloat(GgufType type, double value) {
    if (!isFloat(type)) misuse("GgufValue::ofFloat: not a float type");
    GgufValue v;
    v.m_type = type;
    v.m_data = value;
    return v;
}

GgufValue GgufValue::ofBool(bool value) {
    GgufValue v;
    v.m_type = GgufType::Bool;
    v.m_data = value;
    return v;
}

GgufValue GgufValue::ofString(std::string value) {
    GgufValue v;
    v.m_type = GgufType::String;
    v.m_data = std::move(value);
    return v;
}

GgufValue GgufValue::ofArray(GgufType element_type, Array elements) {
    for (const GgufValue& e : elements) {
        if (e.type() != element_type) misuse("GgufValue::ofArray: element of another type");
    }
    GgufValue v;
    v.m_type = GgufType::Array;
    v.m_element_type = element_type;
    v.m_data = std::move(elements);
    return v;
}

GgufType GgufValue::elementType() const {
    if (m_type != GgufType::Array) misuse("GgufValue::elementType: not an array");
    return m_element_type;
}

std::uint64_t GgufValue::asUnsigned() const {
    if (!isUnsignedInteger(m_type)) misuse("GgufValue::asUnsigned: not an unsigned integer");
    return std::get<std::uint64_t>(m_data);
}

std::int64_t GgufValue::asSigned() const {
    if (!isSignedInteger(m_type)) misuse("GgufValue::asSigned: not a signed integer");
    return std::get<std::int64_t>(m_data);
}

double GgufValue::asFloat() const {
    if (!isFloat(m_type)) misuse("GgufValue::asFloat: not a float");
    return std::get<double>(m_data);
}

bool GgufValue::asBool() const {
    if (m_type != GgufType::Bool) misuse("GgufValue::asBool: not a bool");
    return std::get<bool>(m_data);
}

const std::string& GgufValue::asString() const {
    if (m_type != GgufType::String) misuse("GgufValue::asString: not a string");
    return std::get<std::string>(m_data);
}

const GgufValue::Array& GgufValue::asArray() const {
    if (m_type != GgufType::Array) misuse("GgufValue::asArray: not an array");
    return std::get<Array>(m_data);
}

std::string GgufValue::summary() const {
    if (isUnsignedInteger(m_type)) return std::to_string(asUnsigned());
    if (isSignedInteger(m_type)) return std::to_string(asSigned());
    if (isFloat(m_type)) {
        char text[32];
        std::snprintf(text, sizeof text, "%.9g", asFloat());
        return text;
    }
    if (m_type == GgufType::Bool) return asBool() ? "true" : "false";
    if (m_type == GgufType::String) return quoteForDisplay(asString());
    return arraySummary(m_element_type, std::int64_t(asArray().size()));
}

std::string quoteForDisplay(std::string_view text, std::size_t max_chars) {
    std::size_t cut = text.size();
    if (cut > max_chars) {
        cut = max_chars;
        // Do not split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut;
    }
    std::string out = "\"";
    for (std::size_t i = 0; i < cut; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '"' || byte == '\\') {
            out += '\\';
            out += char(byte);
        } else if (byte < 0x20 || byte == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", byte);
            out += hex;
        } else {
            out += char(byte);
        }
    }
    out += '"';
    if (cut < text.size()) out += "...";
    return out;
}

std::string arraySummary(GgufType element_type, std::int64_t count) {
    std::string out = "[";  // built by appending: GCC 12 warns falsely on "[" + std::string
    out += std::to_string(count);
    out += " x ";
    out += ggufTypeName(element_type);
    out += "]";
    return out;
}

}  // namespace kvscope

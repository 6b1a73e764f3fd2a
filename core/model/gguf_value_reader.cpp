#include "core/model/gguf_value_reader.h"

#include <string>
#include <utility>

namespace kvscope::gguf {

std::int64_t minValueSize(GgufType type, std::int64_t count_size) {
    if (type == GgufType::String) return count_size;     // the length alone
    if (type == GgufType::Array) return 4 + count_size;  // element type + count
    return ggufFixedSize(type);
}

GgufType readType(GgufCursor& c, std::string_view field) {
    const std::int64_t at = c.offset();
    const std::uint32_t id = c.readU32(field);
    const std::optional<GgufType> type = ggufTypeFromId(id);
    if (!type) c.fail(at, std::string(field) + " " + std::to_string(id) + " is not a GGUF type");
    return *type;
}

ArrayHeader readArrayHeader(GgufCursor& c) {
    const GgufType element_type = readType(c, "array element type");
    const std::int64_t count_at = c.offset();
    const std::int64_t count = c.readCount("array count");
    const std::int64_t min_size = minValueSize(element_type, c.countSize());
    if (count > c.remaining() / min_size) {
        c.fail(count_at, "array of " + std::to_string(count) + " " +
                             std::string(ggufTypeName(element_type)) + " needs at least " +
                             std::to_string(min_size) + " bytes each, but only " +
                             std::to_string(c.remaining()) + " bytes are left in the file");
    }
    return {element_type, count};
}

bool readBool(GgufCursor& c) {
    const std::int64_t at = c.offset();
    const std::uint8_t byte = c.readU8("bool value");
    if (byte > 1) c.fail(at, "bool value " + std::to_string(byte) + " is not 0 or 1");
    return byte == 1;
}

void skipValue(GgufCursor& c, GgufType type, int depth) {
    if (type == GgufType::Bool) {
        readBool(c);
    } else if (type == GgufType::String) {
        c.readStringView("string");
    } else if (type == GgufType::Array) {
        const std::int64_t at = c.offset();
        if (depth >= kMaxArrayDepth) {
            c.fail(at, "arrays nested deeper than " + std::to_string(kMaxArrayDepth) + " levels");
        }
        const ArrayHeader header = readArrayHeader(c);
        const std::int64_t fixed = ggufFixedSize(header.element_type);
        if (fixed > 0 && header.element_type != GgufType::Bool) {
            c.skip(header.count * fixed, "array data");  // no overflow: checked by the header
        } else {
            for (std::int64_t i = 0; i < header.count; ++i)
                skipValue(c, header.element_type, depth + 1);
        }
    } else {
        c.skip(ggufFixedSize(type), ggufTypeName(type));
    }
}

GgufValue readValue(GgufCursor& c, GgufType type, int depth) {
    switch (type) {
        case GgufType::Uint8:
            return GgufValue::ofUnsigned(type, readScalar<std::uint8_t>(c, "uint8"));
        case GgufType::Int8:
            return GgufValue::ofSigned(type, readScalar<std::int8_t>(c, "int8"));
        case GgufType::Uint16:
            return GgufValue::ofUnsigned(type, readScalar<std::uint16_t>(c, "uint16"));
        case GgufType::Int16:
            return GgufValue::ofSigned(type, readScalar<std::int16_t>(c, "int16"));
        case GgufType::Uint32:
            return GgufValue::ofUnsigned(type, readScalar<std::uint32_t>(c, "uint32"));
        case GgufType::Int32:
            return GgufValue::ofSigned(type, readScalar<std::int32_t>(c, "int32"));
        case GgufType::Uint64:
            return GgufValue::ofUnsigned(type, readScalar<std::uint64_t>(c, "uint64"));
        case GgufType::Int64:
            return GgufValue::ofSigned(type, readScalar<std::int64_t>(c, "int64"));
        case GgufType::Float32:
            return GgufValue::ofFloat(type, readScalar<float>(c, "float32"));
        case GgufType::Float64:
            return GgufValue::ofFloat(type, readScalar<double>(c, "float64"));
        case GgufType::Bool:
            return GgufValue::ofBool(readBool(c));
        case GgufType::String:
            return GgufValue::ofString(c.readString("string"));
        case GgufType::Array: {
            if (depth >= kMaxArrayDepth) c.fail(c.offset(), "arrays nested too deep");
            const ArrayHeader header = readArrayHeader(c);
            GgufValue::Array elements;
            elements.reserve(std::size_t(header.count));  // bounded by the file size (header)
            for (std::int64_t i = 0; i < header.count; ++i)
                elements.push_back(readValue(c, header.element_type, depth + 1));
            return GgufValue::ofArray(header.element_type, std::move(elements));
        }
    }
    c.fail(c.offset(), "unreachable value type");
}

AnyInteger readInteger(GgufCursor& c, GgufType type) {
    AnyInteger out;
    if (isUnsignedInteger(type)) {
        out.magnitude = readValue(c, type, 0).asUnsigned();
    } else {
        out.signed_value = readValue(c, type, 0).asSigned();
        out.negative = out.signed_value < 0;
        out.magnitude = out.negative ? 0 : std::uint64_t(out.signed_value);
    }
    return out;
}

bool isInteger(GgufType type) {
    return isUnsignedInteger(type) || isSignedInteger(type);
}

}  // namespace kvscope::gguf

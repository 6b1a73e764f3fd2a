#pragma once
// GGUF metadata values: the 13 value types of the format and a self-contained value (scalars,
// strings, arrays of any of them, arrays nested in arrays).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kvscope {

/// gguf_type ids as stored in the file.
enum class GgufType : std::uint32_t {
    Uint8 = 0,
    Int8 = 1,
    Uint16 = 2,
    Int16 = 3,
    Uint32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    Uint64 = 10,
    Int64 = 11,
    Float64 = 12,
};

/// `id` as a GgufType, or nullopt when it is not one of the 13 ids.
std::optional<GgufType> ggufTypeFromId(std::uint32_t id);
/// "uint8", "float32", "string", "array", ...
std::string_view ggufTypeName(GgufType type);
/// Bytes of a fixed-size value (1, 2, 4 or 8); 0 for String and Array.
std::int64_t ggufFixedSize(GgufType type);
bool isUnsignedInteger(GgufType type);
bool isSignedInteger(GgufType type);
bool isFloat(GgufType type);

/// One metadata value. Integers keep their width in `type()`; the number itself is held as a
/// 64-bit integer of the same signedness, floats as double (float32 round-trips exactly).
class GgufValue {
public:
    using Array = std::vector<GgufValue>;

    /// Precondition: isUnsignedInteger(type) and `value` fits the type's width.
    static GgufValue ofUnsigned(GgufType type, std::uint64_t value);
    /// Precondition: isSignedInteger(type) and `value` fits the type's width.
    static GgufValue ofSigned(GgufType type, std::int64_t value);
    /// Precondition: isFloat(type).
    static GgufValue ofFloat(GgufType type, double value);
    static GgufValue ofBool(bool value);
    static GgufValue ofString(std::string value);
    /// Precondition: every element has type `element_type` (nested arrays: GgufType::Array).
    static GgufValue ofArray(GgufType element_type, Array elements);

    GgufType type() const { return m_type; }
    /// Precondition: type() == Array.
    GgufType elementType() const;

    /// Preconditions (each throws std::logic_error when broken): the matching kind of type.
    std::uint64_t asUnsigned() const;
    std::int64_t asSigned() const;
    double asFloat() const;
    bool asBool() const;
    const std::string& asString() const;
    const Array& asArray() const;

    /// A short printable form for listings: 42, -7, 0.5, true, "llama" (truncated and escaped),
    /// arrays as "[512 x string]".
    std::string summary() const;

    bool operator==(const GgufValue& other) const = default;

private:
    GgufType m_type = GgufType::Uint8;
    GgufType m_element_type = GgufType::Uint8;  // arrays only
    std::variant<std::uint64_t, std::int64_t, double, bool, std::string, Array> m_data;
};

/// `text` quoted, control and non-ASCII bytes escaped as \xNN, cut to `max_chars` with "...".
std::string quoteForDisplay(std::string_view text, std::size_t max_chars = 60);
/// "[N x type]", the listing form of an array.
std::string arraySummary(GgufType element_type, std::int64_t count);

}  // namespace kvscope

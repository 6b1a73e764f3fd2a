#pragma once
// Reading GGUF metadata values with a bounds-checked cursor: checking a value and moving past it
// (at open, without allocating), and decoding it (on lookup). Internal to the GGUF reader.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/model/gguf_cursor.h"
#include "core/model/gguf_value.h"

namespace kvscope::gguf {

/// Arrays nested deeper than this are refused, so that checking them cannot recurse deeply.
inline constexpr int kMaxArrayDepth = 8;

/// The fewest bytes one value of `type` can take in a file whose counts take `count_size` bytes
/// (for the count sanity checks).
std::int64_t minValueSize(GgufType type, std::int64_t count_size);

/// Reads a uint32 type id; fails naming `field` when it is not one of the 13 GGUF types.
GgufType readType(GgufCursor& c, std::string_view field);

struct ArrayHeader {
    GgufType element_type;
    std::int64_t count;
};

/// Reads an array's element type and count and checks that `count` elements can fit in the rest
/// of the file, before anyone allocates for them. Precondition: the cursor is at the array value.
ArrayHeader readArrayHeader(GgufCursor& c);

/// Reads a 1-byte bool; fails unless it is 0 or 1.
bool readBool(GgufCursor& c);

/// Checks one value of `type` at the cursor and moves past it, without allocating. `depth` is
/// the array nesting level of the value (0 for a metadata value).
void skipValue(GgufCursor& c, GgufType type, int depth = 0);

/// Decodes one value of `type` at the cursor. Precondition: skipValue accepted these bytes.
GgufValue readValue(GgufCursor& c, GgufType type, int depth = 0);

/// An integer scalar of any width as (negative?, value) so callers can range-check it.
struct AnyInteger {
    bool negative = false;
    std::uint64_t magnitude = 0;  // the value when !negative
    std::int64_t signed_value = 0;
};

/// Reads an integer scalar of any width. Precondition: isInteger(type).
AnyInteger readInteger(GgufCursor& c, GgufType type);

bool isInteger(GgufType type);

/// Reads a fixed-size little-endian scalar of type T (1, 2, 4 or 8 bytes).
template <typename T>
T readScalar(GgufCursor& c, std::string_view field) {
    static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
    T value;
    if constexpr (sizeof(T) == 1) {
        const std::uint8_t raw = c.readU8(field);
        std::memcpy(&value, &raw, 1);
    } else if constexpr (sizeof(T) == 2) {
        const std::uint16_t raw = c.readU16(field);
        std::memcpy(&value, &raw, 2);
    } else if constexpr (sizeof(T) == 4) {
        const std::uint32_t raw = c.readU32(field);
        std::memcpy(&value, &raw, 4);
    } else {
        const std::uint64_t raw = c.readU64(field);
        std::memcpy(&value, &raw, 8);
    }
    return value;
}

}  // namespace kvscope::gguf

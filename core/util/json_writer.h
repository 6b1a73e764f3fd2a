#pragma once
// A small streaming JSON writer: objects, arrays, strings, numbers, booleans, null. It writes
// compact JSON straight to a std::ostream and checks that calls form one well-nested value.
//
// Strings: '"', '\\' and control characters (U+0000..U+001F, U+007F) are escaped; valid UTF-8 is
// copied as is; each maximal ill-formed UTF-8 subsequence becomes U+FFFD (written "\ufffd"), so
// the output is always valid JSON in valid UTF-8.
// Numbers: integers exactly; floating point in the shortest form that reads back to the same
// value (std::to_chars); NaN and +-Inf have no JSON spelling and are written as null.
// Misuse (a value where a key is due, endArray() closing an object, a second top-level value)
// throws std::logic_error: it is a programming error, not bad input.
#include <concepts>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope {

/// Appends `text` to `out` as a quoted JSON string literal (escaping as described above).
void appendJsonString(std::string& out, std::string_view text);
/// Appends `number` in shortest round-trip form, or `null` when it is not finite.
void appendJsonNumber(std::string& out, double number);
void appendJsonNumber(std::string& out, float number);

/// Integers other than bool (bool is written as true/false).
template <class T>
concept JsonInteger = std::integral<T> && !std::same_as<T, bool>;

class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out) : m_out(out) {}

    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    /// The name of the next member. Pre: inside an object, and the previous member has a value.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(bool flag);
    JsonWriter& value(double number);
    JsonWriter& value(float number);
    template <JsonInteger T>
    JsonWriter& value(T number) {
        if constexpr (std::signed_integral<T>) {
            return writeInteger(std::int64_t(number));
        } else {
            return writeUnsigned(std::uint64_t(number));
        }
    }
    JsonWriter& null();

    /// key(name) then value(v).
    template <class T>
    JsonWriter& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    /// True once exactly one complete top-level value has been written.
    bool complete() const { return m_stack.empty() && m_top_written; }

private:
    enum class Frame { Object, Array };

    JsonWriter& writeInteger(std::int64_t number);
    JsonWriter& writeUnsigned(std::uint64_t number);
    /// Writes the separator a new value needs and checks that a value may come here.
    void beforeValue();
    void writeRaw(std::string_view text);

    std::ostream& m_out;
    std::vector<Frame> m_stack;     // open containers, innermost last
    std::vector<bool> m_has_items;  // [depth] whether the container already holds an item
    bool m_key_pending = false;     // key() written, its value not yet
    bool m_top_written = false;
    std::string m_scratch;
};

}  // namespace kvscope

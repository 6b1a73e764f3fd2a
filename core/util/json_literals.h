#pragma once
// The literals of JSON text, each read at a JsonCursor that is left just after it: strings
// (escapes, surrogate pairs, UTF-8 validation), numbers (the RFC 8259 grammar, exact integers)
// and the words true, false and null (with pointed messages for NaN, Infinity, True, None, ...).
// Errors are the cursor's InputError, naming line and column. Not a public API.
#include <string>
#include <string_view>

#include "core/util/json_cursor.h"
#include "core/util/json_value.h"

namespace kvscope {

bool isJsonDigit(char c);
/// Letters, digits and '_': what a bare word (true, NaN, an unquoted key) is made of.
bool isJsonWordChar(char c);

/// Reads a string literal. Pre: the cursor is on its opening '"'.
std::string readJsonString(JsonCursor& cursor);

/// A number as read: its double value, and whether its literal denotes an integer (exactly, from
/// its digits) that int64 holds.
struct JsonNumber {
    double value = 0.0;
    std::int64_t integer = 0;  // the exact value when is_integer
    bool integral = false;     // the literal denotes an integer (perhaps beyond int64)
    bool is_integer = false;   // ... and int64 holds it
    bool negative = false;     // the literal starts with '-'
};

/// Reads a number literal; fails when its magnitude overflows a double (underflow gives 0).
/// Pre: the cursor is on '-' or a digit.
JsonNumber readJsonNumber(JsonCursor& cursor);

enum class JsonWord { Null, False, True };
/// Reads true, false or null; fails naming any other word. Pre: the cursor is on a word char.
JsonWord readJsonWord(JsonCursor& cursor);
/// Fails for the bare word `word` at `pos` ("NaN", "-Infinity", "True", "hidden_size", ...).
[[noreturn]] void failJsonWord(JsonCursor& cursor, std::size_t pos, std::string_view word);

}  // namespace kvscope

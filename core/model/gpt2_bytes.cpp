#include "core/model/gpt2_bytes.h"

#include <array>
#include <unordered_map>

#include "core/model/llama_utf8.h"

namespace kvscope {

namespace {

bool isPrintedAsItself(unsigned byte) {
    return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
}

/// byte -> code point: the bytes printed as themselves keep their value, the other 68 take
/// U+0100, U+0101, ... in byte order.
const std::array<char32_t, 256>& codepoints() {
    static const std::array<char32_t, 256> table = [] {
        std::array<char32_t, 256> t{};
        char32_t next = 0x100;
        for (unsigned byte = 0; byte < 256; ++byte)
            t[byte] = isPrintedAsItself(byte) ? char32_t(byte) : next++;
        return t;
    }();
    return table;
}

const std::array<std::string, 256>& characters() {
    static const std::array<std::string, 256> table = [] {
        std::array<std::string, 256> t;
        for (unsigned byte = 0; byte < 256; ++byte)
            appendUtf8(t[byte], codepoints()[byte]);
        return t;
    }();
    return table;
}

const std::unordered_map<char32_t, unsigned char>& bytesOf() {
    static const std::unordered_map<char32_t, unsigned char> table = [] {
        std::unordered_map<char32_t, unsigned char> t;
        for (unsigned byte = 0; byte < 256; ++byte)
            t.emplace(codepoints()[byte], static_cast<unsigned char>(byte));
        return t;
    }();
    return table;
}

}  // namespace

const std::string& gpt2ByteChar(unsigned char byte) {
    return characters()[byte];
}

std::string gpt2Encode(std::string_view text) {
    std::string out;
    out.reserve(text.size() * 2);
    for (char c : text)
        out += characters()[static_cast<unsigned char>(c)];
    return out;
}

std::optional<std::string> gpt2Decode(std::string_view piece) {
    std::string out;
    out.reserve(piece.size());
    for (char32_t cp : llamaCodepoints(piece)) {
        const auto hit = bytesOf().find(cp);
        if (hit == bytesOf().end()) return std::nullopt;
        out += char(hit->second);
    }
    return out;
}

}  // namespace kvscope

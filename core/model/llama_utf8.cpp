#include "core/model/llama_utf8.h"

namespace kvscope {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool isContinuation(std::string_view text, std::size_t at) {
    return at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80;
}

}  // namespace

std::vector<char32_t> llamaCodepoints(std::string_view text) {
    std::vector<char32_t> cps;
    cps.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto lead = static_cast<unsigned char>(text[pos]);
        std::size_t length = 0;  // 0: not a lead byte llama.cpp accepts
        char32_t cp = 0;
        if (lead < 0x80) {
            length = 1;
            cp = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2;
            cp = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            cp = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            cp = lead & 0x07;
        }
        for (std::size_t i = 1; i < length; ++i) {
            if (!isContinuation(text, pos + i)) {
                length = 0;
                break;
            }
            cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
        }
        if (length == 0) {
            cps.push_back(kReplacement);
            pos += 1;
            continue;
        }
        cps.push_back(cp > 0x10FFFF ? kReplacement : cp);
        pos += length;
    }
    return cps;
}

}  // namespace kvscope

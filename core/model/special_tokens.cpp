#include "core/model/special_tokens.h"

#include <algorithm>
#include <cctype>
#include <list>

namespace kvscope {

namespace {

bool takesPart(TokenType type) {
    return type == TokenType::Control || type == TokenType::UserDefined ||
           type == TokenType::Unknown;
}

bool isAsciiSpace(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

SpecialTokenSplitter::SpecialTokenSplitter(const std::vector<VocabEntry>& vocab, bool phi3_rstrip) {
    for (std::size_t id = 0; id < vocab.size(); ++id) {
        const VocabEntry& entry = vocab[id];
        if (!takesPart(entry.type) || entry.piece.empty()) continue;
        SpecialToken token{entry.piece, TokenId(id), false};
        // llama.cpp: every special token of a Phi-3 vocabulary strips, except these three.
        if (phi3_rstrip)
            token.rstrip =
                entry.piece != "<unk>" && entry.piece != "<s>" && entry.piece != "<|endoftext|>";
        m_tokens.push_back(std::move(token));
    }
    std::stable_sort(
        m_tokens.begin(), m_tokens.end(),
        [](const SpecialToken& a, const SpecialToken& b) { return a.text.size() > b.text.size(); });
}

std::vector<TextFragment> SpecialTokenSplitter::split(std::string_view text) const {
    std::list<TextFragment> fragments;
    if (!text.empty()) fragments.push_back(TextFragment{text, -1});
    for (const SpecialToken& special : m_tokens) {
        for (auto it = fragments.begin(); it != fragments.end(); ++it) {
            if (it->token >= 0) continue;
            std::string_view rest = it->text;
            std::size_t hit = rest.find(special.text);
            if (hit == std::string_view::npos) continue;
            const auto here = it;
            while (hit != std::string_view::npos) {
                if (hit > 0) fragments.insert(here, TextFragment{rest.substr(0, hit), -1});
                fragments.insert(here, TextFragment{{}, special.id});
                rest.remove_prefix(hit + special.text.size());
                if (special.rstrip) {
                    while (!rest.empty() && isAsciiSpace(rest.front()))
                        rest.remove_prefix(1);
                }
                hit = rest.find(special.text);
            }
            if (!rest.empty()) {
                it->text = rest;  // the remainder stays in place, after what was inserted
            } else {
                it = fragments.erase(it);
                --it;
            }
        }
    }
    return {fragments.begin(), fragments.end()};
}

}  // namespace kvscope

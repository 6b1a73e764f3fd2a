#include "core/model/bpe_tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <queue>
#include <utility>

#include "core/model/gpt2_bytes.h"
#include "core/util/error.h"
#include "core/util/utf8.h"

namespace kvscope {

namespace {

/// The key of the pair (left, right): unambiguous whatever the pieces contain.
std::string mergeKey(std::string_view left, std::string_view right) {
    std::string key = std::to_string(left.size());
    key += ':';
    key += left;
    key += right;
    return key;
}

/// Bytes of the UTF-8 character a byte-alphabet piece starts with at `pos` (always valid: the
/// word was spelled by gpt2Encode).
std::size_t charLength(std::string_view text, std::size_t pos) {
    const std::size_t n = utf8SequenceLength(text.substr(pos));
    return n == 0 ? 1 : n;
}

// A run of the word: one character at first, growing as pairs merge (llama.cpp's llm_symbol).
struct Symbol {
    std::size_t begin = 0;
    std::size_t size = 0;  // 0 once merged into its left neighbour
    int prev = -1;
    int next = -1;
};

struct Bigram {
    int rank = 0;
    int left = 0;
    int right = 0;
    std::size_t size = 0;  // bytes of left + right when proposed; stale if either changed
};

// Lowest rank first; on equal ranks the leftmost pair first.
struct LaterFirst {
    bool operator()(const Bigram& a, const Bigram& b) const {
        if (a.rank != b.rank) return a.rank > b.rank;
        return a.left > b.left;
    }
};

std::string hexByte(unsigned char byte) {
    char text[8];
    std::snprintf(text, sizeof text, "<0x%02X>", byte);
    return text;
}

/// Valid UTF-8 as it is, control characters and broken sequences as "<0xNN>".
std::string printable(std::string_view bytes) {
    std::string out;
    for (std::size_t pos = 0; pos < bytes.size();) {
        const std::size_t n = utf8SequenceLength(bytes.substr(pos));
        const auto byte = static_cast<unsigned char>(bytes[pos]);
        if (n == 0 || (n == 1 && (byte < 0x20 || byte == 0x7F))) {
            out += hexByte(byte);
            pos += 1;
        } else {
            out.append(bytes.substr(pos, n));
            pos += n;
        }
    }
    return out;
}

}  // namespace

BpeTokenizer::BpeTokenizer(std::vector<VocabEntry> vocab, const std::vector<std::string>& merges,
                           PreTokenizer pre, TokenId bos, TokenId eos, TokenizerOptions options)
    : m_vocab(std::move(vocab)), m_pre(std::move(pre)), m_bos(bos), m_eos(eos), m_options(options) {
    if (m_vocab.empty()) throw InputError("BPE tokenizer: the vocabulary is empty");
    if (m_vocab.size() > std::size_t(std::numeric_limits<TokenId>::max())) {
        throw InputError("BPE tokenizer: " + std::to_string(m_vocab.size()) +
                         " tokens do not fit 32-bit token ids");
    }
    const auto n = TokenId(m_vocab.size());
    for (const auto& [name, id] : {std::pair{"bos", bos}, {"eos", eos}}) {
        if (id < 0 || id >= n) {
            throw InputError(std::string("BPE tokenizer: ") + name + " token id " +
                             std::to_string(id) + " is outside the vocabulary [0, " +
                             std::to_string(n) + ")");
        }
    }
    m_lookup.reserve(m_vocab.size());
    for (TokenId id = 0; id < n; ++id)
        m_lookup[m_vocab[std::size_t(id)].piece] = id;  // a duplicated piece: the last id wins
    if (merges.size() > std::size_t(std::numeric_limits<int>::max()))
        throw InputError("BPE tokenizer: too many merges");
    m_ranks.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const std::string& line = merges[i];
        const std::size_t space = line.size() > 1 ? line.find(' ', 1) : std::string::npos;
        if (space == std::string::npos) {
            throw InputError("BPE tokenizer: merge " + std::to_string(i) + " ('" + line +
                             "') is not two pieces separated by a space");
        }
        m_ranks.emplace(mergeKey(std::string_view(line).substr(0, space),
                                 std::string_view(line).substr(space + 1)),
                        int(i));  // a repeated pair keeps its first rank
    }
    m_specials = SpecialTokenSplitter(m_vocab, m_options.phi3_rstrip);
}

TokenId BpeTokenizer::lookup(std::string_view piece) const {
    const auto hit = m_lookup.find(std::string(piece));
    return hit == m_lookup.end() ? -1 : hit->second;
}

int BpeTokenizer::rank(std::string_view left, std::string_view right) const {
    const auto hit = m_ranks.find(mergeKey(left, right));
    return hit == m_ranks.end() ? -1 : hit->second;
}

std::vector<TokenId> BpeTokenizer::encode(std::string_view text) const {
    std::vector<TokenId> ids;
    for (const TextFragment& fragment : m_specials.split(text)) {
        if (fragment.token >= 0) {
            ids.push_back(fragment.token);
            continue;
        }
        for (const std::string& word : m_pre.split(fragment.text))
            encodeWord(gpt2Encode(word), ids);
    }
    return ids;
}

void BpeTokenizer::encodeWord(const std::string& word, std::vector<TokenId>& ids) const {
    if (word.empty()) return;
    if (m_pre.ignoreMerges()) {
        if (const TokenId whole = lookup(word); whole >= 0) {
            ids.push_back(whole);
            return;
        }
    }
    const std::string_view text = word;
    std::vector<Symbol> symbols;  // [characters of word]
    for (std::size_t pos = 0; pos < text.size();) {
        Symbol s;
        s.begin = pos;
        s.size = charLength(text, pos);
        s.prev = int(symbols.size()) - 1;
        pos += s.size;
        s.next = pos < text.size() ? int(symbols.size()) + 1 : -1;
        symbols.push_back(s);
    }
    std::priority_queue<Bigram, std::vector<Bigram>, LaterFirst> queue;
    const auto propose = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[std::size_t(left)];
        const Symbol& r = symbols[std::size_t(right)];
        const int found = rank(text.substr(l.begin, l.size), text.substr(r.begin, r.size));
        if (found < 0) return;
        queue.push(Bigram{found, left, right, l.size + r.size});
    };
    for (std::size_t i = 1; i < symbols.size(); ++i)
        propose(int(i) - 1, int(i));

    while (!queue.empty()) {
        const Bigram best = queue.top();
        queue.pop();
        Symbol& l = symbols[std::size_t(best.left)];
        Symbol& r = symbols[std::size_t(best.right)];
        // Symbols only grow or vanish, so an unchanged total size means still as proposed.
        if (l.size == 0 || r.size == 0 || l.size + r.size != best.size || l.next != best.right)
            continue;
        l.size += r.size;
        l.next = r.next;
        if (r.next >= 0) symbols[std::size_t(r.next)].prev = best.left;
        r.size = 0;
        propose(l.prev, best.left);
        propose(best.left, l.next);
    }

    for (int i = 0; i >= 0; i = symbols[std::size_t(i)].next) {
        const Symbol& s = symbols[std::size_t(i)];
        const std::string_view piece = text.substr(s.begin, s.size);
        if (const TokenId id = lookup(piece); id >= 0) {
            ids.push_back(id);
            continue;
        }
        // As llama.cpp: a merge result that is not a token falls back to its single bytes that
        // are tokens (printable ASCII); the others are dropped.
        for (char c : piece) {
            if (const TokenId id = lookup(std::string_view(&c, 1)); id >= 0) ids.push_back(id);
        }
    }
}

std::string BpeTokenizer::decode(TokenId id) const {
    if (id < 0 || id >= TokenId(m_vocab.size())) return {};
    const VocabEntry& e = m_vocab[std::size_t(id)];
    if (e.type == TokenType::UserDefined) return e.piece;
    if (e.type != TokenType::Normal && e.type != TokenType::Undefined) return {};
    if (std::optional<std::string> bytes = gpt2Decode(e.piece)) return *std::move(bytes);
    return e.piece;  // a character outside the byte alphabet: the piece as it is
}

std::string BpeTokenizer::label(TokenId id) const {
    if (id < 0 || id >= TokenId(m_vocab.size())) return "<invalid:" + std::to_string(id) + ">";
    const VocabEntry& e = m_vocab[std::size_t(id)];
    const bool spelled = e.type == TokenType::Normal || e.type == TokenType::Undefined ||
                         e.type == TokenType::UserDefined;
    const std::string text = printable(spelled ? decode(id) : e.piece);
    if (text.empty()) return "<empty:" + std::to_string(id) + ">";
    return text;
}

bool BpeTokenizer::isEndOfGeneration(TokenId id) const {
    return endsGeneration(m_options, m_eos, id);
}

bool BpeTokenizer::isSpecial(TokenId id) const {
    if (id < 0 || id >= TokenId(m_vocab.size())) return false;
    if (id == m_bos || id == m_eos) return true;
    return isControlType(m_vocab[std::size_t(id)].type);
}

}  // namespace kvscope

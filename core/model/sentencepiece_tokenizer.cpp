#include "core/model/sentencepiece_tokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <queue>
#include <utility>

#include "core/util/error.h"

// Encoding follows llama.cpp's SPM tokenizer (and llama2.c's encode() on valid UTF-8): special
// tokens spelled in the text are cut out first (SpecialTokenSplitter); each stretch between them:
// the text, with "▁" for spaces, is split into UTF-8 characters; a character that is a piece
// becomes that token, any other character becomes byte-fallback tokens that never merge; then the
// adjacent pair whose concatenation is a piece with the highest score merges (ties: the leftmost
// pair), until no pair is a piece. A priority queue of candidate pairs over a linked list of
// symbols keeps this O(n log n) in the text length. (Where a vocabulary holds a piece containing a
// character that is not itself a piece, llama.cpp could still reach that piece by merging; llama2.c
// and this code cannot. SentencePiece's trainer always keeps the characters of its pieces, so this
// never differs on real vocabularies.)

namespace kvscope {

namespace {

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // "▁" U+2581

/// Pieces that may appear in encode()'s output through the vocabulary lookup: control, unknown,
/// byte and unused pieces are reached only by id (as in SentencePiece).
bool isMergeable(TokenType type) {
    return type == TokenType::Normal || type == TokenType::UserDefined ||
           type == TokenType::Undefined;
}

/// The id of the mergeable piece spelled `text`, or -1.
TokenId mergeablePiece(const std::unordered_map<std::string, TokenId>& lookup,
                       const std::vector<VocabEntry>& vocab, std::string_view text) {
    const auto hit = lookup.find(std::string(text));
    if (hit == lookup.end() || !isMergeable(vocab[std::size_t(hit->second)].type)) return -1;
    return hit->second;
}

/// Bytes of the character starting at text[pos] as llama.cpp's SentencePiece tokenizer counts
/// them (unicode_len_utf8): from the lead byte alone (0xC0-0xDF: 2, 0xE0-0xEF: 3, 0xF0-0xFF: 4,
/// anything else 1), cut at the end of the text. Continuation bytes are not checked, so a broken
/// sequence takes the bytes after it; such a character is never a piece and falls back to bytes.
std::size_t utf8CharLength(std::string_view text, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    std::size_t length = 1;
    if (lead >= 0xF0)
        length = 4;
    else if (lead >= 0xE0)
        length = 3;
    else if (lead >= 0xC0)
        length = 2;
    return std::min(length, text.size() - pos);
}

std::string bytePiece(unsigned byte) {
    char piece[8];
    std::snprintf(piece, sizeof piece, "<0x%02X>", byte & 0xFFu);
    return piece;
}

/// The byte of a "<0xNN>" piece (either hex case), or nothing.
std::optional<unsigned char> parseBytePiece(const std::string& piece) {
    if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return {};
    unsigned value = 0;
    for (std::size_t i = 3; i < 5; ++i) {
        const char c = piece[i];
        unsigned digit = 0;
        if (c >= '0' && c <= '9')
            digit = unsigned(c - '0');
        else if (c >= 'A' && c <= 'F')
            digit = unsigned(c - 'A' + 10);
        else if (c >= 'a' && c <= 'f')
            digit = unsigned(c - 'a' + 10);
        else
            return {};
        value = value * 16 + digit;
    }
    return static_cast<unsigned char>(value);
}

std::string replaceAll(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (true) {
        const std::size_t hit = text.find(from, pos);
        if (hit == std::string_view::npos) break;
        out.append(text.substr(pos, hit - pos));
        out.append(to);
        pos = hit + from.size();
    }
    out.append(text.substr(pos));
    return out;
}

std::string idText(TokenId id) {
    return std::to_string(id);
}

// A run of the normalised text: one character at first, growing as pairs merge.
struct Symbol {
    std::size_t begin = 0;  // byte offset in the normalised text
    std::size_t size = 0;   // bytes; 0 once merged into its left neighbour
    TokenId id = -1;        // the piece covering it, or -1: byte fallback, never merges
    int prev = -1;          // neighbours in the linked list, -1 at the ends
    int next = -1;
};

// A candidate merge of symbols left and left's right neighbour.
struct Candidate {
    float score = 0.0f;
    int left = 0;
    int right = 0;
    std::size_t size = 0;  // bytes of the merged piece when proposed; stale if sizes changed
    TokenId id = 0;
};

// Higher score first; on equal scores the leftmost pair first.
struct LowerPriority {
    bool operator()(const Candidate& a, const Candidate& b) const {
        if (a.score != b.score) return a.score < b.score;
        return a.left > b.left;
    }
};

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(std::vector<VocabEntry> vocab, TokenId bos,
                                               TokenId eos, TokenId unk, bool add_space_prefix,
                                               TokenizerOptions options)
    : m_vocab(std::move(vocab)),
      m_byte_token(256, -1),
      m_bos(bos),
      m_eos(eos),
      m_unk(unk),
      m_add_space_prefix(add_space_prefix),
      m_options(options) {
    if (m_vocab.empty()) throw InputError("SentencePiece tokenizer: the vocabulary is empty");
    if (m_vocab.size() > std::size_t(std::numeric_limits<TokenId>::max())) {
        throw InputError("SentencePiece tokenizer: " + std::to_string(m_vocab.size()) +
                         " tokens do not fit 32-bit token ids");
    }
    const auto n = TokenId(m_vocab.size());
    for (const auto& [name, id] : {std::pair{"bos", bos}, {"eos", eos}, {"unk", unk}}) {
        if (id < 0 || id >= n) {
            throw InputError(std::string("SentencePiece tokenizer: ") + name + " token id " +
                             idText(id) + " is outside the vocabulary [0, " + idText(n) + ")");
        }
    }
    m_lookup.reserve(m_vocab.size());
    for (TokenId id = 0; id < n; ++id) {
        const VocabEntry& e = m_vocab[std::size_t(id)];
        if (std::isnan(e.score)) {
            throw InputError("SentencePiece tokenizer: token " + idText(id) + " ('" + e.piece +
                             "') has a NaN score");
        }
        m_lookup.emplace(e.piece, id);  // the first id of a duplicated piece wins
    }
    for (unsigned byte = 0; byte < 256; ++byte) {
        const auto hit = m_lookup.find(bytePiece(byte));
        if (hit != m_lookup.end()) m_byte_token[byte] = hit->second;
    }
    m_specials = SpecialTokenSplitter(m_vocab, m_options.phi3_rstrip);
}

std::vector<TokenId> SentencePieceTokenizer::encode(std::string_view text) const {
    std::vector<TokenId> ids;
    bool after_special = true;  // llama.cpp: the text's start counts as following a special token
    for (const TextFragment& fragment : m_specials.split(text)) {
        if (fragment.token >= 0) {
            ids.push_back(fragment.token);
            after_special = true;
        } else {
            encodeText(fragment.text, m_add_space_prefix && after_special, ids);
            after_special = false;
        }
    }
    return ids;
}

void SentencePieceTokenizer::encodeText(std::string_view text, bool space_prefix,
                                        std::vector<TokenId>& ids) const {
    if (text.empty()) return;
    std::string normalised;  // the text as pieces spell it: a "▁" prefix, "▁" for ' '
    normalised.reserve(text.size() + kSpaceMarker.size());
    if (space_prefix) normalised += kSpaceMarker;
    for (char c : text) {
        if (c == ' ')
            normalised += kSpaceMarker;
        else
            normalised += c;
    }
    const std::string_view norm = normalised;

    std::vector<Symbol> symbols;  // [characters of norm]
    for (std::size_t pos = 0; pos < norm.size();) {
        Symbol s;
        s.begin = pos;
        s.size = utf8CharLength(norm, pos);
        s.id = mergeablePiece(m_lookup, m_vocab, norm.substr(s.begin, s.size));
        s.prev = int(symbols.size()) - 1;
        s.next = pos + s.size < norm.size() ? int(symbols.size()) + 1 : -1;
        symbols.push_back(s);
        pos += s.size;
    }

    std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue;
    const auto propose = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[std::size_t(left)];
        const Symbol& r = symbols[std::size_t(right)];
        if (l.id < 0 || r.id < 0) return;  // byte fallback never merges
        const std::size_t size = l.size + r.size;
        const TokenId id = mergeablePiece(m_lookup, m_vocab, norm.substr(l.begin, size));
        if (id < 0) return;
        queue.push(Candidate{m_vocab[std::size_t(id)].score, left, right, size, id});
    };
    for (std::size_t i = 1; i < symbols.size(); ++i)
        propose(int(i) - 1, int(i));

    while (!queue.empty()) {
        const Candidate best = queue.top();
        queue.pop();
        Symbol& l = symbols[std::size_t(best.left)];
        Symbol& r = symbols[std::size_t(best.right)];
        // Symbols only grow or vanish, so an unchanged total size means still adjacent as proposed.
        if (l.size == 0 || r.size == 0 || l.size + r.size != best.size) continue;
        l.size = best.size;
        l.id = best.id;
        l.next = r.next;
        if (r.next >= 0) symbols[std::size_t(r.next)].prev = best.left;
        r.size = 0;
        propose(l.prev, best.left);
        propose(best.left, l.next);
    }

    for (int i = 0; i >= 0; i = symbols[std::size_t(i)].next) {
        const Symbol& s = symbols[std::size_t(i)];
        if (s.id >= 0) {
            ids.push_back(s.id);
            continue;
        }
        for (std::size_t b = s.begin; b < s.begin + s.size; ++b) {
            const TokenId byte_id = m_byte_token[static_cast<unsigned char>(norm[b])];
            ids.push_back(byte_id >= 0 ? byte_id : m_unk);
        }
    }
}

std::string SentencePieceTokenizer::decode(TokenId id) const {
    if (id < 0 || id >= TokenId(m_vocab.size()) || isSpecial(id)) return {};
    const VocabEntry& e = m_vocab[std::size_t(id)];
    if (e.type == TokenType::Byte) {
        if (const auto byte = parseBytePiece(e.piece)) return std::string(1, char(*byte));
    }
    if (e.type == TokenType::UserDefined) return e.piece;  // as llama.cpp: verbatim
    return replaceAll(e.piece, kSpaceMarker, " ");
}

std::string SentencePieceTokenizer::label(TokenId id) const {
    if (id < 0 || id >= TokenId(m_vocab.size())) return "<invalid:" + idText(id) + ">";
    const std::string& piece = m_vocab[std::size_t(id)].piece;
    if (piece.empty()) return "<empty:" + idText(id) + ">";
    std::string out;  // the piece, with control bytes spelled "<0xNN>" so it prints on one line
    out.reserve(piece.size());
    for (char c : piece) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F)
            out += bytePiece(byte);
        else
            out += c;
    }
    return out;
}

bool SentencePieceTokenizer::isEndOfGeneration(TokenId id) const {
    return endsGeneration(m_options, m_eos, id);
}

bool SentencePieceTokenizer::isSpecial(TokenId id) const {
    if (id < 0 || id >= TokenId(m_vocab.size())) return false;
    if (id == m_bos || id == m_eos || id == m_unk) return true;
    return isControlType(m_vocab[std::size_t(id)].type);
}

}  // namespace kvscope

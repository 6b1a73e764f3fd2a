#include "core/model/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <stdexcept>
#include <utility>

#include "core/model/llama_utf8.h"
#include "core/util/error.h"

// The expressions are llama.cpp's (src/llama-vocab.cpp, llm_tokenizer_bpe), written for PCRE2:
// \p{L}, \p{N}, \p{P} are Unicode properties, \s is Unicode's White_Space (PCRE2_UCP, plus U+0085:
// withLlamaWhitespace), and $ means the end of the piece only (PCRE2_DOLLAR_ENDONLY, as in
// ECMAScript). llama.cpp applies each expression to each piece on its own, so lookaheads and $
// never see past a piece's end.

namespace kvscope {

namespace {

constexpr const char* kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
constexpr const char* kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct Definition {
    std::vector<std::string_view> aliases;  // the first is the canonical name
    std::vector<const char*> expressions;
    bool ignore_merges = false;
    bool adds_bos = false;
};

const std::vector<Definition>& definitions() {
    static const std::vector<Definition> all = {
        {{"llama-bpe", "llama3", "llama-v3", "falcon3", "pixtral"}, {kLlama3}, true, true},
        {{"qwen2", "deepseek-r1-qwen", "megrez", "stablelm2"}, {kQwen2}},
        {{"smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"},
         {R"(\p{N})", kGpt2}},
        {{"gpt-2", "gpt2", "phi-2", "mpt", "olmo", "jais", "exaone4"}, {kGpt2}},
        {{"deepseek-llm"},
         {R"([\r\n])",
          "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293"
          "\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C"
          "\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5"
          "\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77"
          "\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57"
          "\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4"
          "\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC"
          "\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D"
          "\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B"
          "\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F"
          "\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A"
          "\uFF41-\uFF5A\U00010400-\U0001044F\U000104B0-\U000104D3\U000104D8-\U000104FB"
          "\U00010C80-\U00010CB2\U00010CC0-\U00010CF2\U000118A0-\U000118DF"
          "\U0001E900-\U0001E943]+",
          "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+", R"(\s+$)",
          "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+", R"(\p{N}+)"}},
        {{"default"}, {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", R"([0-9][0-9][0-9])"}},
    };
    return all;
}

/// `pattern` with llama.cpp's whitespace: its \s is Unicode's White_Space, which PCRE2's \s
/// (tab to carriage return and the Z categories) lacks only U+0085 NEXT LINE of. \s becomes
/// [\s\x{85}] (inside a class: \s\x{85}), \S becomes [^\s\x{85}].
std::string withLlamaWhitespace(std::string_view pattern) {
    std::string out;
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char next = pattern[++i];
            if (next == 's')
                out += in_class ? "\\s\\x{85}" : "[\\s\\x{85}]";
            else if (next == 'S' && !in_class)
                out += "[^\\s\\x{85}]";
            else
                out += {c, next};
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = true;
            out += c;
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
            if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
            continue;
        }
        if (c == ']' && in_class) in_class = false;
        out += c;
    }
    return out;
}

}  // namespace

struct PreTokenizer::Compiled {
    pcre2_code* code = nullptr;
    explicit Compiled(const char* llama_pattern) {
        const std::string pattern = withLlamaWhitespace(llama_pattern);
        int error = 0;
        PCRE2_SIZE offset = 0;
        code =
            pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                          PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &error, &offset, nullptr);
        if (code == nullptr) {
            std::array<PCRE2_UCHAR, 256> message{};
            pcre2_get_error_message(error, message.data(), message.size());
            throw std::logic_error("pre-tokenizer expression does not compile at " +
                                   std::to_string(offset) + ": " +
                                   reinterpret_cast<const char*>(message.data()));
        }
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // optional: matching works without it
    }
    ~Compiled() { pcre2_code_free(code); }
    Compiled(const Compiled&) = delete;
    Compiled& operator=(const Compiled&) = delete;
};

PreTokenizer::PreTokenizer(const std::string& name) {
    for (const Definition& d : definitions()) {
        for (std::string_view alias : d.aliases) {
            if (alias != name) continue;
            m_name = std::string(d.aliases.front());
            m_ignore_merges = d.ignore_merges;
            m_adds_bos = d.adds_bos;
            for (const char* pattern : d.expressions)
                m_expressions.push_back(std::make_shared<const Compiled>(pattern));
            return;
        }
    }
    throw InputError("tokenizer.ggml.pre: pre-tokenizer '" + name +
                     "' is not supported (supported: " + knownNames() + ")");
}

PreTokenizer::~PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;

std::string PreTokenizer::knownNames() {
    std::string names;
    for (const Definition& d : definitions()) {
        for (std::string_view alias : d.aliases) {
            if (!names.empty()) names += ", ";
            names += alias;
        }
    }
    return names;
}

std::vector<std::string> PreTokenizer::split(std::string_view text) const {
    // `decoded`: the code points re-encoded (what the words are cut from). `subject`: the same
    // with surrogates as U+FFFD, the text PCRE2 matches (same byte lengths, valid UTF-8).
    std::string decoded, subject;
    for (char32_t cp : llamaCodepoints(text)) {
        appendUtf8(decoded, cp);
        appendUtf8(subject, cp >= 0xD800 && cp <= 0xDFFF ? char32_t(0xFFFD) : cp);
    }
    struct Piece {
        std::size_t begin, size;
    };
    std::vector<Piece> pieces;
    if (!subject.empty()) pieces.push_back(Piece{0, subject.size()});

    pcre2_match_data* match = nullptr;
    std::vector<Piece> next;
    for (const auto& expression : m_expressions) {
        if (match == nullptr)
            match = pcre2_match_data_create_from_pattern(expression->code, nullptr);
        next.clear();
        for (const Piece& piece : pieces) {
            const auto* start = reinterpret_cast<PCRE2_SPTR>(subject.data() + piece.begin);
            std::size_t at = 0, done = 0;  // offsets inside the piece
            while (at < piece.size) {
                const int rc = pcre2_match(expression->code, start, piece.size, at,
                                           PCRE2_NO_UTF_CHECK, match, nullptr);
                if (rc < 0) break;  // PCRE2_ERROR_NOMATCH (or a matching limit): no more words
                const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
                const std::size_t begin = ovector[0], end = ovector[1];
                if (begin > done) next.push_back(Piece{piece.begin + done, begin - done});
                if (end > begin) {
                    next.push_back(Piece{piece.begin + begin, end - begin});
                    done = at = end;
                } else {  // an empty match: step over one character
                    at = begin + 1;
                    while (at < piece.size && (subject[piece.begin + at] & 0xC0) == 0x80)
                        ++at;
                    done = begin;
                }
            }
            if (done < piece.size) next.push_back(Piece{piece.begin + done, piece.size - done});
        }
        std::swap(pieces, next);
    }
    if (match != nullptr) pcre2_match_data_free(match);

    std::vector<std::string> words;
    words.reserve(pieces.size());
    for (const Piece& piece : pieces)
        words.push_back(decoded.substr(piece.begin, piece.size));
    return words;
}

}  // namespace kvscope

#pragma once
// The pre-tokenizer of a byte-level BPE vocabulary (tokenizer.ggml.pre): Unicode regular
// expressions that cut text into words before the merges run, as llama.cpp defines them per name.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope {

class PreTokenizer {
public:
    /// The expressions llama.cpp uses for `name` ("llama-bpe", "qwen2", "smollm", "gpt-2",
    /// "deepseek-llm", "default" and their aliases). Throws InputError naming
    /// tokenizer.ggml.pre and the known names for any other.
    explicit PreTokenizer(const std::string& name);
    ~PreTokenizer();
    PreTokenizer(PreTokenizer&&) noexcept;
    PreTokenizer& operator=(PreTokenizer&&) noexcept;

    /// `text` cut into words, as llama.cpp's unicode_regex_split cuts it: the text is decoded as
    /// llama.cpp decodes it (llamaCodepoints: invalid bytes become U+FFFD); each expression in
    /// turn cuts every piece left by the previous one into its matches and the stretches between
    /// them. The words are UTF-8 and together spell the decoded text.
    std::vector<std::string> split(std::string_view text) const;

    /// The canonical name ("llama-bpe" for "llama3", ...).
    const std::string& name() const { return m_name; }
    /// Whether a word that is a whole token skips the merges (llama.cpp's ignore_merges).
    bool ignoreMerges() const { return m_ignore_merges; }
    /// Default of tokenizer.ggml.add_bos_token for this pre-tokenizer (llama.cpp's add_bos).
    bool addsBos() const { return m_adds_bos; }

    /// The names accepted, comma-separated, for messages.
    static std::string knownNames();

private:
    struct Compiled;
    std::string m_name;
    bool m_ignore_merges = false;
    bool m_adds_bos = false;
    std::vector<std::shared_ptr<const Compiled>> m_expressions;  // applied in order
};

}  // namespace kvscope

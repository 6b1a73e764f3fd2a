#include "app/cli/input_files.h"

#include <sstream>

#include "core/util/error.h"
#include "core/util/text_file.h"

namespace kvscope::cli {

namespace {

/// A --text or --prompts file: 16 MiB at most (stories260K's 512-token context takes about
/// 2 KiB of text; a prompts file of thousands of lines stays far below).
constexpr std::int64_t kMaxTextBytes = std::int64_t(16) << 20;

/// Sequences a --prompts file may ask for (each runs the reference and every variant).
constexpr std::int64_t kMaxPrompts = 10'000;

}  // namespace

std::string readText(const std::string& flag, const std::string& path) {
    return readTextFile("--" + flag, path, kMaxTextBytes);
}

CacheLayout parseLayout(std::string_view text) {
    if (text == "contiguous") return CacheLayout::Contiguous;
    if (text == "paged") return CacheLayout::Paged;
    throw InputError("--layout: expected contiguous or paged, got '" + std::string(text) + "'");
}

std::vector<PromptLine> readPrompts(const std::string& path) {
    std::string text = readText("prompts", path);
    if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
    std::istringstream lines(text);
    std::vector<PromptLine> prompts;
    std::int64_t number = 0;
    for (std::string line; std::getline(lines, line);) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line.front() == '#') continue;
        const bool bos_alone =
            line.substr(first, line.find_last_not_of(" \t") + 1 - first) == "<s>";
        prompts.push_back({number, bos_alone ? std::string() : line});
        if (std::int64_t(prompts.size()) > kMaxPrompts)
            throw InputError("--prompts: '" + path + "' holds more than " +
                             std::to_string(kMaxPrompts) + " prompts (the limit; line " +
                             std::to_string(number) + ")");
    }
    if (prompts.empty()) throw InputError("--prompts: '" + path + "' holds no prompt");
    return prompts;
}

}  // namespace kvscope::cli

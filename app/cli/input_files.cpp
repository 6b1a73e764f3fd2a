#include "app/cli/input_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/util/error.h"

namespace kvscope::cli {

std::string readText(const std::string& flag, const std::string& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        throw InputError("--" + flag + ": '" + path + "' is a directory, not a text file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("--" + flag + ": cannot open '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

CacheLayout parseLayout(std::string_view text) {
    if (text == "contiguous") return CacheLayout::Contiguous;
    if (text == "paged") return CacheLayout::Paged;
    throw InputError("--layout: expected contiguous or paged, got '" + std::string(text) + "'");
}

/// The prompts of a --prompts file: one per line, blank and # lines skipped, "<s>" = BOS alone
/// (blanks around it allowed). A UTF-8 byte order mark in front (Windows editors) is dropped.
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
    }
    if (prompts.empty()) throw InputError("--prompts: '" + path + "' holds no prompt");
    return prompts;
}

}  // namespace kvscope::cli

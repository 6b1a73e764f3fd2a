#pragma once
// The inputs the evaluation commands (quant-eval, evict-eval) read alike: a text file, a
// --prompts file (one prompt per line), the --layout flag.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/cache/cache_layout.h"

namespace kvscope::cli {

/// The whole file (16 MiB at most); throws InputError naming --flag for a missing file, a
/// directory, a file it cannot read or one over the limit.
std::string readText(const std::string& flag, const std::string& path);

/// "contiguous" / "paged"; throws InputError naming --layout otherwise.
CacheLayout parseLayout(std::string_view text);

/// One prompt of a --prompts file and the line it is on (1-based).
struct PromptLine {
    std::int64_t line = 0;
    std::string text;
};

/// The prompts of a --prompts file: one per line, blank and # lines skipped, "<s>" = BOS alone
/// (blanks around it allowed). A UTF-8 byte order mark in front (Windows editors) is dropped.
std::vector<PromptLine> readPrompts(const std::string& path);

}  // namespace kvscope::cli

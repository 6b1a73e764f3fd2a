#include "app/launch/headless_replay.h"

#include <algorithm>
#include <cctype>

#include "core/trace/scenario_file.h"
#include "core/trace/trace_json.h"
#include "core/util/format_bytes.h"

namespace kvscope {
namespace {

std::string tokenText(const Trace& trace, TokenId id) {
    const auto it = trace.tokens.find(id);
    return it == trace.tokens.end() || it->second.special ? std::string() : it->second.text;
}

}  // namespace

bool isTraceFileName(std::string_view path) {
    std::string lower(path);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return lower.ends_with(".json") && !isScenarioFileName(path);
}

int replayTraceHeadless(const std::string& path, std::ostream& out, std::ostream& err) {
    const Trace trace = readTraceJsonFile(path);
    // The records feed the prompt (record 0) and then each sampled token; the last record's
    // sampled token was never fed but is part of the text, as generate prints it.
    std::string prompt, generated;
    for (std::size_t r = 0; r < trace.records.size(); ++r) {
        std::string& text = r == 0 ? prompt : generated;
        for (TokenId id : trace.records[r].tokens)
            text += tokenText(trace, id);
    }
    if (!trace.records.empty()) generated += tokenText(trace, trace.records.back().next_token);
    out << prompt << generated << "\n";
    const std::int64_t steps = trace.records.empty() ? 0 : std::int64_t(trace.records.size()) - 1;
    const std::int64_t held = trace.records.empty() ? 0 : trace.records.back().kvBytesHeld();
    err << "kvscope: replayed " << path << " (no display): " << trace.model_info.config.name
        << ", prefill + " << steps << " decode steps, " << formatBytes(held)
        << " of K+V held at the end\n";
    return 0;
}

}  // namespace kvscope

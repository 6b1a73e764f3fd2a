#include "core/trace/trace_file.h"

#include <algorithm>
#include <cctype>

#include "core/trace/chrome_trace.h"
#include "core/trace/trace_csv.h"
#include "core/trace/trace_json.h"
#include "core/util/atomic_file.h"

namespace kvscope {

std::string_view toString(TraceFormat format) {
    switch (format) {
        case TraceFormat::Json:
            return "json";
        case TraceFormat::Csv:
            return "csv";
        case TraceFormat::Chrome:
            return "chrome";
    }
    return "?";
}

std::optional<TraceFormat> parseTraceFormat(std::string_view text) {
    for (TraceFormat format : {TraceFormat::Json, TraceFormat::Csv, TraceFormat::Chrome})
        if (text == toString(format)) return format;
    return std::nullopt;
}

std::optional<TraceFormat> traceFormatForPath(std::string_view path) {
    std::string name(path);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    const auto endsWith = [&](std::string_view suffix) {
        return name.size() > suffix.size() &&
               std::string_view(name).substr(name.size() - suffix.size()) == suffix;
    };
    if (endsWith(".chrome.json") || endsWith(".perfetto.json")) return TraceFormat::Chrome;
    if (endsWith(".json")) return TraceFormat::Json;
    if (endsWith(".csv")) return TraceFormat::Csv;
    return std::nullopt;
}

void saveTrace(const std::string& path, const Trace& trace, TraceFormat format) {
    writeFileAtomically(path, [&](std::ostream& out) {
        switch (format) {
            case TraceFormat::Json:
                writeTraceJson(trace, out);
                break;
            case TraceFormat::Csv:
                writeTraceCsv(trace, out);
                break;
            case TraceFormat::Chrome:
                writeChromeTrace(trace, out);
                break;
        }
    });
}

}  // namespace kvscope

#include "core/sim/workload_csv.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

#include "core/util/error.h"
#include "core/util/format_bytes.h"
#include "core/util/text_file.h"

namespace kvscope::sim {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> splitFields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        fields.push_back(trim(line.substr(start, comma - start)));
        if (comma == std::string_view::npos) return fields;
        start = comma + 1;
    }
}

std::int64_t parseField(std::string_view text, const std::string& where, const char* column) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || text[0] == '-') {
        constexpr std::size_t kShown = 40;  // a field can be megabytes long
        const std::string shown =
            text.size() <= kShown ? std::string(text) : std::string(text.substr(0, kShown)) + "...";
        throw InputError(where + ": " + column + ": expected a non-negative integer, got '" +
                         shown + "'");
    }
    return value;
}

std::string limitText() {
    return std::to_string(kMaxWorkloadCsvBytes) + " bytes (" + formatBytes(kMaxWorkloadCsvBytes) +
           ")";
}

/// Reads all of `in`, or fails once it holds more than kMaxWorkloadCsvBytes.
std::string readCapped(std::istream& in, const std::string& name) {
    std::string text;
    if (!readAtMost(in, kMaxWorkloadCsvBytes, text, name))
        throw InputError(name + ": the workload CSV is larger than the limit of " + limitText());
    return text;
}

}  // namespace

std::vector<Request> parseWorkloadCsv(std::string_view text, const std::string& name,
                                      std::int64_t max_seq) {
    // A UTF-8 byte order mark in front (spreadsheets and Windows editors write one) is dropped.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::vector<Request> requests;
    std::int64_t line_no = 0;
    std::int64_t last_arrival = 0;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t newline = text.find('\n', start);
        const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
        const std::string_view line = trim(text.substr(start, end - start));
        start = end + 1;
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        const std::string where = name + ":" + std::to_string(line_no);
        const auto fields = splitFields(line);
        if (requests.empty() && fields[0] == "prompt_len") continue;  // the header
        if (fields.size() < 2 || fields.size() > 3)
            throw InputError(where + ": expected prompt_len,output_len[,arrival], got " +
                             std::to_string(fields.size()) + " field(s)");
        if (std::int64_t(requests.size()) >= kMaxWorkloadCsvRequests)
            throw InputError(where + ": more than " + std::to_string(kMaxWorkloadCsvRequests) +
                             " requests, the limit of a workload CSV");
        Request r;
        r.id = std::int64_t(requests.size());
        r.prompt_len = parseField(fields[0], where, "prompt_len");
        r.output_len = parseField(fields[1], where, "output_len");
        if (r.prompt_len < 1 || r.output_len < 1)
            throw InputError(where + ": prompt_len and output_len must be >= 1");
        if (r.prompt_len > max_seq - r.output_len)
            throw InputError(where + ": prompt_len " + std::to_string(r.prompt_len) +
                             " + output_len " + std::to_string(r.output_len) + " exceeds max_seq " +
                             std::to_string(max_seq));
        if (fields.size() == 3) {
            r.arrival = parseField(fields[2], where, "arrival");
            if (r.arrival < last_arrival)
                throw InputError(where + ": arrival " + std::to_string(r.arrival) +
                                 " is before the previous request's " +
                                 std::to_string(last_arrival));
            last_arrival = r.arrival;
        } else {
            r.arrival = last_arrival;
        }
        requests.push_back(r);
    }
    if (requests.empty()) throw InputError(name + ": no requests (expected prompt_len,output_len)");
    return requests;
}

std::vector<Request> parseWorkloadCsv(std::istream& in, const std::string& name,
                                      std::int64_t max_seq) {
    return parseWorkloadCsv(readCapped(in, name), name, max_seq);
}

std::vector<Request> readWorkloadCsv(const std::string& path, std::int64_t max_seq) {
    if (path.empty()) throw InputError("the workload CSV needs a file name (csv:FILE)");
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (std::filesystem::is_directory(status))
        throw InputError(path + ": is a directory, not a workload CSV");
    if (std::filesystem::is_fifo(status) || std::filesystem::is_socket(status))
        throw InputError(path + ": not a regular file (a pipe or a socket)");
    if (!error && std::filesystem::is_regular_file(status)) {
        const auto size = std::filesystem::file_size(path, error);
        if (!error && size > std::uintmax_t(kMaxWorkloadCsvBytes)) {
            throw InputError(path + ": the workload CSV is " + std::to_string(size) +
                             " bytes, more than the limit of " + limitText());
        }
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open the workload CSV");
    return parseWorkloadCsv(in, path, max_seq);
}

}  // namespace kvscope::sim

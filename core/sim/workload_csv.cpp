#include "core/sim/workload_csv.h"

#include <charconv>
#include <fstream>
#include <string_view>

#include "core/util/error.h"

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
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || text[0] == '-')
        throw InputError(where + ": " + column + ": expected a non-negative integer, got '" +
                         std::string(text) + "'");
    return value;
}

}  // namespace

std::vector<Request> parseWorkloadCsv(std::istream& in, const std::string& name,
                                      std::int64_t max_seq) {
    std::vector<Request> requests;
    std::string raw;
    std::int64_t line_no = 0;
    std::int64_t last_arrival = 0;
    while (std::getline(in, raw)) {
        ++line_no;
        const std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        const std::string where = name + ":" + std::to_string(line_no);
        const auto fields = splitFields(line);
        if (requests.empty() && fields[0] == "prompt_len") continue;  // the header
        if (fields.size() < 2 || fields.size() > 3)
            throw InputError(where + ": expected prompt_len,output_len[,arrival], got " +
                             std::to_string(fields.size()) + " field(s)");
        Request r;
        r.id = std::int64_t(requests.size());
        r.prompt_len = parseField(fields[0], where, "prompt_len");
        r.output_len = parseField(fields[1], where, "output_len");
        if (r.prompt_len < 1 || r.output_len < 1)
            throw InputError(where + ": prompt_len and output_len must be >= 1");
        if (r.prompt_len > max_seq - r.output_len)
            throw InputError(where + ": prompt_len " + std::to_string(r.prompt_len) +
                             " + output_len " + std::to_string(r.output_len) +
                             " exceeds max_seq " + std::to_string(max_seq));
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
    if (in.bad()) throw InputError(name + ": read error at line " + std::to_string(line_no));
    if (requests.empty()) throw InputError(name + ": no requests (expected prompt_len,output_len)");
    return requests;
}

std::vector<Request> readWorkloadCsv(const std::string& path, std::int64_t max_seq) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot open the workload CSV");
    return parseWorkloadCsv(in, path, max_seq);
}

}  // namespace kvscope::sim

#include "app/cli/bench/bench_json_read.h"
#include "app/cli/text_format.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

void writeJsonReadTable(const std::vector<JsonReadTiming>& timings, std::ostream& out) {
    out << "\nJSON read: each file is read in a child process; peak RSS = the child's peak RSS "
           "during the\nread minus its RSS before it (the text, the JSON document and what is "
           "built from it).\n";
    const char* header[] = {"document", "size",     "numbers", "read s",
                            "cpu s",    "peak RSS", "B/number"};
    const std::size_t width[] = {34, 12, 11, 9, 8, 12, 10};
    out << "  " << padRight(header[0], width[0]);
    for (std::size_t i = 1; i < std::size(header); ++i)
        out << padLeft(header[i], width[i]);
    out << "\n";
    for (const JsonReadTiming& t : timings) {
        out << "  " << padRight(t.label, width[0]);
        if (!t.error.empty()) {
            out << "  failed: " << t.error << "\n";
            continue;
        }
        const std::string cells[] = {formatBytes(t.file_bytes),     std::to_string(t.n_numbers),
                                     fixed(t.read_seconds, 3),      fixed(t.read_cpu_seconds, 3),
                                     formatBytes(t.peak_rss_bytes), fixed(t.bytesPerNumber(), 1)};
        for (std::size_t i = 0; i < std::size(cells); ++i)
            out << padLeft(cells[i], width[i + 1]);
        out << "\n";
        if (t.round_trip_identical) {
            out << "    written in " << fixed(t.write_seconds, 3) << " s; written again after the "
                << "read: " << (*t.round_trip_identical ? "the same bytes" : "DIFFERENT BYTES")
                << "\n";
        }
        if (!t.peak_reset)
            out << "    (the peak could not be reset before the read: an upper bound)\n";
    }
}

void writeJsonReadJson(JsonWriter& json, const std::vector<JsonReadTiming>& timings) {
    json.beginArray();
    for (const JsonReadTiming& t : timings) {
        json.beginObject();
        json.field("document", t.label);
        json.field("file_bytes", t.file_bytes);
        json.field("numbers", t.n_numbers);
        json.field("positions", t.positions);
        json.field("write_seconds", t.write_seconds);
        json.field("read_seconds", t.read_seconds);
        json.field("read_cpu_seconds", t.read_cpu_seconds);
        json.field("start_rss_bytes", t.start_rss_bytes);
        json.field("peak_rss_bytes", t.peak_rss_bytes);
        json.field("peak_rss_bytes_per_number", t.bytesPerNumber());
        json.field("peak_reset", t.peak_reset);
        json.key("round_trip_identical");
        if (t.round_trip_identical) {
            json.value(*t.round_trip_identical);
        } else {
            json.null();
        }
        json.key("error");
        if (t.error.empty()) {
            json.null();
        } else {
            json.value(t.error);
        }
        json.endObject();
    }
    json.endArray();
}

}  // namespace kvscope::cli

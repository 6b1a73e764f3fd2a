#include "app/cli/bench/bench_gguf_open.h"
#include "app/cli/text_format.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

/// "1.2x", "7254x", "0.18x".
std::string ratioText(double ratio) {
    return fixed(ratio, ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2) + "x";
}

void writeComparison(const GgufOpenTiming& sparse, const GgufOpenTiming& other, std::ostream& out) {
    if (other.file_bytes <= 0 || other.median_ms <= 0) return;
    out << "  " << sparse.label << ": " << ratioText(double(sparse.file_bytes) / other.file_bytes)
        << " the file size of " << other.label << ", "
        << ratioText(sparse.median_ms / other.median_ms) << " its open time; header "
        << formatBytes(sparse.header_bytes) << " vs " << formatBytes(other.header_bytes)
        << ":\n  open time follows the header, not the file size.\n";
}

}  // namespace

void writeGgufOpenTable(const std::vector<GgufOpenTiming>& timings, std::ostream& out) {
    out << "\nGGUF header open: GgufFile::open maps the file and parses the header (metadata and "
           "tensor\ntable); tensor data is not read. Median of "
        << (timings.empty() ? 0 : timings.front().repetitions) << " opens.\n";
    const char* header[] = {"file", "size", "on disk", "header", "tensors", "keys", "open ms"};
    const std::size_t width[] = {18, 12, 12, 12, 9, 6, 10};
    out << "  " << padRight(header[0], width[0]);
    for (std::size_t i = 1; i < std::size(header); ++i)
        out << padLeft(header[i], width[i]);
    out << "\n";
    for (const GgufOpenTiming& t : timings) {
        const std::string cells[] = {formatBytes(t.file_bytes),    formatBytes(t.disk_bytes),
                                     formatBytes(t.header_bytes),  std::to_string(t.n_tensors),
                                     std::to_string(t.n_metadata), fixed(t.median_ms, 4)};
        out << "  " << padRight(t.label, width[0]);
        for (std::size_t i = 0; i < std::size(cells); ++i)
            out << padLeft(cells[i], width[i + 1]);
        out << "\n";
    }
    for (std::size_t i = 1; i < timings.size(); ++i)
        writeComparison(timings.front(), timings[i], out);
}

void writeGgufOpenJson(JsonWriter& json, const std::vector<GgufOpenTiming>& timings) {
    json.beginArray();
    for (const GgufOpenTiming& t : timings) {
        json.beginObject();
        json.field("file", t.label);
        json.field("path", t.path);
        json.field("file_bytes", t.file_bytes);
        json.field("disk_bytes", t.disk_bytes);
        json.field("header_bytes", t.header_bytes);
        json.field("tensors", t.n_tensors);
        json.field("metadata_keys", t.n_metadata);
        json.field("repetitions", t.repetitions);
        json.field("median_ms", t.median_ms);
        json.endObject();
    }
    json.endArray();
}

}  // namespace kvscope::cli

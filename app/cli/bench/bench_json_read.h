#pragma once
// Reading JSON back: the time and peak memory of replaying a stories260K trace with every
// attention row recorded (a prefill, then decode steps up to its trained context of 512), and of
// reading a 1 MiB config.json-like document. Each read runs in a child process
// (child_peak_rss.h), so its peak RSS is the read's own: the file's text, the JSON document and,
// for the trace, the Trace it builds.
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kvscope {
class JsonWriter;
struct Model;
}  // namespace kvscope

namespace kvscope::cli {

struct JsonReadTiming {
    std::string label;                 // "stories260K trace, 512 positions", "config.json-like"
    std::int64_t file_bytes = 0;       // the document's size
    std::int64_t n_numbers = 0;        // numbers in it (the trace: attention weights and the rest)
    std::int64_t positions = 0;        // the trace's positions (0 for the config document)
    double write_seconds = 0;          // writing the trace file (0 for the config document)
    double read_seconds = 0;           // the read, in the child
    double read_cpu_seconds = 0;       // its CPU time (user + system)
    std::int64_t start_rss_bytes = 0;  // the child's RSS before the read
    std::int64_t peak_rss_bytes = 0;   // its peak RSS increase during the read
    bool peak_reset = false;           // the peak was reset before the read (else an upper bound)
    /// Trace: the read trace written again gives the file's exact bytes.
    std::optional<bool> round_trip_identical;
    std::string error;  // non-empty when the read failed
    double bytesPerNumber() const {
        return n_numbers > 0 ? double(peak_rss_bytes) / double(n_numbers) : 0.0;
    }
};

/// The trace replay: runs `model` (named `model_ref` in the trace) from a short prompt to
/// `positions` positions (at most its max_context) recording every attention row, writes the
/// JSON trace to a scratch directory, reads it back in a child and checks that writing what was
/// read gives the file's bytes again.
JsonReadTiming timeTraceReplay(const std::shared_ptr<const Model>& model,
                               const std::string& model_ref, std::int64_t positions);

/// A config.json-like document of about `bytes` bytes (nested objects, arrays of numbers at the
/// leaves, the keys an HF config has at the top), written to a scratch directory and parsed in a
/// child. Deterministic.
JsonReadTiming timeConfigRead(std::int64_t bytes);

/// The document timeConfigRead() reads; `n_numbers` gets the count of numbers in it.
std::string configLikeJson(std::int64_t bytes, std::int64_t& n_numbers);

/// The "JSON read" section of the bench table, and the same as a JSON array.
void writeJsonReadTable(const std::vector<JsonReadTiming>& timings, std::ostream& out);
void writeJsonReadJson(JsonWriter& json, const std::vector<JsonReadTiming>& timings);

}  // namespace kvscope::cli

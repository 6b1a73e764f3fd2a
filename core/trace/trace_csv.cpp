#include "core/trace/trace_csv.h"

#include <string>

#include "core/trace/trace_text.h"
#include "core/util/json_writer.h"

namespace kvscope {

namespace {

constexpr std::string_view kColumns[] = {
    "step",
    "phase",
    "first_pos",
    "n_tokens",
    "tokens",
    "next_token",
    "next_label",
    "next_prob",
    "top_k",
    "layer",
    "k_bytes",
    "v_bytes",
    "bytes_allocated",
    "step_kv_bytes",
    "step_bytes_allocated",
    "flops",
    "weight_bytes_read",
    "kv_bytes_read",
    "kv_bytes_written",
    "bytes_moved",
    "wall_ms",
};

/// Shortest round-trip digits (as in the JSON trace).
std::string number(double value) {
    std::string text;
    appendJsonNumber(text, value);
    return text;
}

std::string number(float value) {
    std::string text;
    appendJsonNumber(text, value);
    return text;
}

/// "1 15043 338": the ids separated by spaces.
std::string idList(const std::vector<TokenId>& ids) {
    std::string text;
    for (TokenId id : ids) {
        if (!text.empty()) text += ' ';
        text += std::to_string(id);
    }
    return text;
}

/// "29889:0.61 29892:0.2": id:probability pairs, highest first.
std::string topKList(const std::vector<TokenProb>& top_k) {
    std::string text;
    for (const TokenProb& candidate : top_k) {
        if (!text.empty()) text += ' ';
        text += std::to_string(candidate.id) + ":" + number(candidate.prob);
    }
    return text;
}

std::string labelOf(const Trace& trace, TokenId id) {
    const auto found = trace.tokens.find(id);
    return found == trace.tokens.end() ? std::string() : found->second.label;
}

}  // namespace

std::span<const std::string_view> traceCsvColumns() {
    return kColumns;
}

void writeTraceCsv(const Trace& trace, std::ostream& out) {
    for (std::size_t i = 0; i < std::size(kColumns); ++i)
        out << (i > 0 ? "," : "") << kColumns[i];
    out << "\r\n";
    for (std::size_t step = 0; step < trace.records.size(); ++step) {
        const StepRecord& record = trace.records[step];
        std::int64_t allocated = 0;
        for (const LayerRecord& layer : record.layers)
            allocated += layer.bytes_allocated;
        // Everything before the layer columns, then everything after them: the same on each row.
        const std::string head =
            std::to_string(step) + "," + std::string(toString(record.phase)) + "," +
            std::to_string(record.first_pos) + "," + std::to_string(record.tokens.size()) + "," +
            csvField(idList(record.tokens)) + "," + std::to_string(record.next_token) + "," +
            csvField(labelOf(trace, record.next_token)) + "," + number(record.next_prob) + "," +
            csvField(topKList(record.top_k));
        const std::string tail =
            std::to_string(record.kvBytesHeld()) + "," + std::to_string(allocated) + "," +
            number(record.cost.flops) + "," + number(record.cost.weight_bytes_read) + "," +
            number(record.cost.kv_bytes_read) + "," + number(record.cost.kv_bytes_written) + "," +
            number(record.cost.bytesMoved()) + "," + number(record.wall_ms);
        for (std::size_t l = 0; l < record.layers.size(); ++l) {
            const LayerRecord& layer = record.layers[l];
            out << head << "," << l << "," << layer.k_bytes << "," << layer.v_bytes << ","
                << layer.bytes_allocated << "," << tail << "\r\n";
        }
    }
}

}  // namespace kvscope

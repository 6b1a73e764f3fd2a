#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>

#include "core/trace/trace_csv.h"
#include "core/trace/trace_text.h"
#include "csv_reader.h"
#include "trace_test_util.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

std::string csvOf(const Trace& trace) {
    std::ostringstream out;
    writeTraceCsv(trace, out);
    return out.str();
}

}  // namespace

TEST_CASE("csvField quotes text the RFC 4180 way", "[trace_csv]") {
    CHECK(csvField("plain") == "plain");
    CHECK(csvField("") == "");
    CHECK(csvField("a,b") == "\"a,b\"");
    CHECK(csvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csvField("two\r\nlines") == "\"two\r\nlines\"");
    CHECK(csvField(" lead") == "\" lead\"");
}

TEST_CASE("The CSV trace has the documented header and one row per step and layer", "[trace_csv]") {
    const Trace& trace = demoTrace();
    const std::vector<CsvRow> rows = readCsv(csvOf(trace));
    const auto columns = traceCsvColumns();
    REQUIRE_FALSE(rows.empty());
    REQUIRE(rows[0] == CsvRow(columns.begin(), columns.end()));
    const std::size_t n_layers = std::size_t(trace.model_info.config.n_layers);
    REQUIRE(rows.size() == 1 + trace.records.size() * n_layers);

    std::map<std::string, std::size_t> at;
    for (std::size_t c = 0; c < columns.size(); ++c)
        at[std::string(columns[c])] = c;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const CsvRow& row = rows[r];
        REQUIRE(row.size() == columns.size());
        const std::size_t step = (r - 1) / n_layers, layer = (r - 1) % n_layers;
        const StepRecord& record = trace.records[step];
        CHECK(row[at["step"]] == std::to_string(step));
        CHECK(row[at["layer"]] == std::to_string(layer));
        CHECK(row[at["phase"]] == (step == 0 ? "prefill" : "decode"));
        CHECK(row[at["first_pos"]] == std::to_string(record.first_pos));
        CHECK(row[at["n_tokens"]] == std::to_string(record.tokens.size()));
        CHECK(row[at["next_token"]] == std::to_string(record.next_token));
        CHECK(row[at["next_label"]] == trace.tokens.at(record.next_token).label);
        CHECK(row[at["k_bytes"]] == std::to_string(record.layers[layer].k_bytes));
        CHECK(row[at["v_bytes"]] == std::to_string(record.layers[layer].v_bytes));
        CHECK(row[at["step_kv_bytes"]] == std::to_string(record.kvBytesHeld()));
        CHECK(std::stod(row[at["flops"]]) == record.cost.flops);
        CHECK(std::stod(row[at["bytes_moved"]]) == record.cost.bytesMoved());
        CHECK(std::stod(row[at["wall_ms"]]) == record.wall_ms);
        // "id id id" and "id:prob id:prob".
        std::istringstream ids(row[at["tokens"]]);
        std::size_t n_ids = 0;
        for (TokenId id; ids >> id; ++n_ids)
            CHECK(id == record.tokens[n_ids]);
        CHECK(n_ids == record.tokens.size());
        CHECK(row[at["top_k"]].rfind(std::to_string(record.top_k[0].id) + ":", 0) == 0);
    }
}

TEST_CASE("The CSV trace quotes labels with commas, quotes and line breaks", "[trace_csv]") {
    Trace trace = demoTrace();
    const TokenId id = trace.records[2].next_token;
    trace.tokens[id].label = "a,\"b\"\r\nc";
    const std::vector<CsvRow> rows = readCsv(csvOf(trace));
    const auto columns = traceCsvColumns();
    std::size_t label_column = 0;
    while (columns[label_column] != "next_label")
        ++label_column;
    const std::size_t n_layers = std::size_t(trace.model_info.config.n_layers);
    CHECK(rows[1 + 2 * n_layers][label_column] == "a,\"b\"\r\nc");
    for (const CsvRow& row : rows)
        CHECK(row.size() == columns.size());
}

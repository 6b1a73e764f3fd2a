#pragma once
// An RFC 4180 reader for the tests: records end with CRLF, fields are separated by commas, and a
// quoted field may hold commas, CR, LF and doubled quotes. Anything else FAILs the test.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope::test {

using CsvRow = std::vector<std::string>;

inline std::vector<CsvRow> readCsv(std::string_view text) {
    std::vector<CsvRow> rows;
    CsvRow row;
    std::string field;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '"') {
            ++i;
            while (true) {
                REQUIRE(i < text.size());  // unterminated quoted field
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text[i++];
            }
            REQUIRE((i == text.size() || text[i] == ',' || text[i] == '\r'));
        }
        while (i < text.size() && text[i] != ',' && text[i] != '\r') {
            REQUIRE(text[i] != '"');   // a quote inside an unquoted field
            REQUIRE(text[i] != '\n');  // a bare LF: records end with CRLF
            field += text[i++];
        }
        row.push_back(std::move(field));
        field.clear();
        if (i < text.size() && text[i] == ',') {
            ++i;
            continue;
        }
        REQUIRE(text.substr(i, 2) == "\r\n");
        i += 2;
        rows.push_back(std::move(row));
        row.clear();
    }
    REQUIRE(row.empty());  // the last record ends with CRLF too
    return rows;
}

}  // namespace kvscope::test

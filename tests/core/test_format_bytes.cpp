#include <catch2/catch.hpp>

#include <limits>

#include "core/util/format_bytes.h"

using namespace kvscope;

TEST_CASE("bytes below 1 KiB are whole bytes", "[util][format]") {
    CHECK(formatBytes(0) == "0 B");
    CHECK(formatBytes(1) == "1 B");
    CHECK(formatBytes(1023) == "1023 B");
}

TEST_CASE("bytes use IEC units with two decimals", "[util][format]") {
    CHECK(formatBytes(1024) == "1.00 KiB");
    CHECK(formatBytes(1536) == "1.50 KiB");
    CHECK(formatBytes(1280 * 24) == "30.00 KiB");
    CHECK(formatBytes(std::int64_t(512) << 20) == "512.00 MiB");
    CHECK(formatBytes(std::int64_t(5) << 30) == "5.00 GiB");
    CHECK(formatBytes(std::int64_t(3) << 40) == "3.00 TiB");
}

TEST_CASE("a value that rounds to 1024 moves up a unit", "[util][format]") {
    CHECK(formatBytes((std::int64_t(1) << 20) - 1) == "1.00 MiB");
    CHECK(formatBytes((std::int64_t(1) << 30) - 1) == "1.00 GiB");
}

TEST_CASE("huge and negative byte counts", "[util][format]") {
    CHECK(formatBytes(std::numeric_limits<std::int64_t>::max()) == "8.00 EiB");
    CHECK(formatBytes(std::numeric_limits<std::int64_t>::min()) == "-8.00 EiB");
    CHECK(formatBytes(-1536) == "-1.50 KiB");
    CHECK(formatBytes(-5) == "-5 B");
}

TEST_CASE("the CLI and the GUI read 1,048,575 B the same way", "[util][format]") {
    // Issue #15: the CLI printed "1024.0 KiB" where the GUI showed "1.00 MiB".
    CHECK(formatBytes(1'048'575) == "1.00 MiB");
}

TEST_CASE("an axis unit keeps its largest value at or above 1", "[util][format]") {
    CHECK(byteUnitFor(0).name == "B");
    CHECK(byteUnitFor(1023).name == "B");
    CHECK(byteUnitFor(5000).name == "KiB");
    CHECK(byteUnitFor(5000).bytes == 1024);
    CHECK(byteUnitFor(double(std::int64_t(3) << 30)).name == "GiB");
}

// Serving-simulator workloads: seeded generation, length shapes, shared prompts, CSV parsing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include "core/sim/workload.h"
#include "core/sim/workload_csv.h"
#include "core/util/error.h"

using namespace kvscope::sim;
using Catch::Contains;

namespace {

double median(std::vector<std::int64_t> v) {
    std::sort(v.begin(), v.end());
    return double(v[v.size() / 2]);
}

std::vector<Request> parseCsv(const std::string& text, std::int64_t max_seq = 2048) {
    std::istringstream in(text);
    return parseWorkloadCsv(in, "w.csv", max_seq);
}

}  // namespace

TEST_CASE("workloads are deterministic per seed", "[sim]") {
    WorkloadSpec spec = shareGptLikeSpec();
    spec.n_requests = 200;
    spec.arrivals = ArrivalKind::Poisson;
    const auto a = generateWorkload(spec);
    const auto b = generateWorkload(spec);
    spec.seed = 2;
    const auto c = generateWorkload(spec);
    REQUIRE(a.size() == 200);
    bool same = true, differs = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        same = same && a[i].prompt_len == b[i].prompt_len && a[i].output_len == b[i].output_len &&
               a[i].arrival == b[i].arrival && a[i].id == std::int64_t(i);
        differs = differs || a[i].prompt_len != c[i].prompt_len;
    }
    CHECK(same);
    CHECK(differs);
}

TEST_CASE("ShareGPT-like lengths: medians near 160 and 200, heavy tail, clipped", "[sim]") {
    WorkloadSpec spec = shareGptLikeSpec();
    spec.n_requests = 10000;
    const auto requests = generateWorkload(spec);
    std::vector<std::int64_t> prompts, outputs;
    std::int64_t longest = 0;
    for (const Request& r : requests) {
        prompts.push_back(r.prompt_len);
        outputs.push_back(r.output_len);
        CHECK(r.prompt_len >= 1);
        CHECK(r.output_len >= 1);
        longest = std::max(longest, r.prompt_len + r.output_len);
        CHECK(r.arrival == 0);
    }
    CHECK(median(prompts) == Approx(160).epsilon(0.1));
    CHECK(median(outputs) == Approx(200).epsilon(0.1));
    CHECK(longest <= spec.max_seq);
    CHECK(longest > 1500);  // the tail reaches far beyond the medians
}

TEST_CASE("Poisson arrivals come at the requested rate", "[sim]") {
    WorkloadSpec spec;
    spec.n_requests = 5000;
    spec.arrivals = ArrivalKind::Poisson;
    spec.rate = 0.5;
    const auto requests = generateWorkload(spec);
    CHECK(double(spec.n_requests) / double(requests.back().arrival) == Approx(0.5).epsilon(0.05));
    CHECK(std::is_sorted(requests.begin(), requests.end(),
                         [](const Request& a, const Request& b) { return a.arrival < b.arrival; }));
}

TEST_CASE("fixed and uniform lengths, shared system prompt and samples", "[sim]") {
    WorkloadSpec spec;
    spec.n_requests = 4000;
    spec.prompt = {LengthKind::Uniform, 0, 10, 20};
    spec.output = {LengthKind::Fixed, 7};
    spec.system_prompt = 100;
    spec.shared_fraction = 0.25;
    spec.samples = 3;
    std::int64_t shared = 0;
    for (const Request& r : generateWorkload(spec)) {
        const std::int64_t own = r.prompt_len - r.shared_prefix;
        CHECK((own >= 10 && own <= 20));
        CHECK(r.output_len == 7);
        CHECK(r.samples == 3);
        CHECK((r.shared_prefix == 0 || r.shared_prefix == 100));
        shared += r.shared_prefix > 0;
    }
    CHECK(double(shared) / 4000.0 == Approx(0.25).epsilon(0.1));
}

TEST_CASE("bad workload specs name the field", "[sim]") {
    WorkloadSpec spec;
    spec.n_requests = 0;
    CHECK_THROWS_WITH(generateWorkload(spec), Contains("requests"));
    spec = {};
    spec.shared_fraction = 1.5;
    CHECK_THROWS_WITH(generateWorkload(spec), Contains("shared fraction"));
    spec = {};
    spec.prompt = {LengthKind::Uniform, 0, 5, 4};
    CHECK_THROWS_WITH(generateWorkload(spec), Contains("prompt length"));
    spec = {};
    spec.samples = 0;
    CHECK_THROWS_WITH(generateWorkload(spec), Contains("samples"));
}

TEST_CASE("workload CSV: header, comments, blank lines and arrivals", "[sim]") {
    const auto r =
        parseCsv("prompt_len,output_len,arrival\n# a comment\n10,5,0\n\n 20 , 6 ,3\r\n30,7\n");
    REQUIRE(r.size() == 3);
    CHECK(r[0].prompt_len == 10);
    CHECK(r[1].output_len == 6);
    CHECK(r[1].arrival == 3);
    CHECK(r[2].arrival == 3);  // no arrival: the previous one
    CHECK(r[2].id == 2);
}

TEST_CASE("workload CSV errors name the line", "[sim]") {
    using kvscope::InputError;
    CHECK_THROWS_WITH(parseCsv("10,5\n12,x\n"),
                      Contains("w.csv:2") && Contains("output_len") && Contains("'x'"));
    CHECK_THROWS_WITH(parseCsv("10\n"), Contains("w.csv:1") && Contains("1 field"));
    CHECK_THROWS_WITH(parseCsv("1,2,3,4\n"), Contains("w.csv:1"));
    CHECK_THROWS_WITH(parseCsv("10,5,4\n10,5,3\n"), Contains("w.csv:2") && Contains("before"));
    CHECK_THROWS_WITH(parseCsv("# only\n3,0\n"), Contains("w.csv:2") && Contains(">= 1"));
    CHECK_THROWS_WITH(parseCsv("-3,4\n"), Contains("w.csv:1"));
    CHECK_THROWS_WITH(parseCsv("1000,1000\n", 1500), Contains("w.csv:1") && Contains("max_seq"));
    CHECK_THROWS_WITH(parseCsv("99999999999999999999,1\n"), Contains("w.csv:1"));
    CHECK_THROWS_WITH(parseCsv("\n# nothing\n"), Contains("no requests"));
    CHECK_THROWS_AS(readWorkloadCsv("/nonexistent/w.csv", 2048), InputError);
}

namespace {

std::string tempCsv(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            (name + "_" + std::to_string(::getpid()) + ".csv"))
        .string();
}

}  // namespace

TEST_CASE("a workload CSV over the size limit is refused before it is read", "[sim]") {
    using kvscope::InputError;
    const std::string limit = std::to_string(kMaxWorkloadCsvBytes) + " bytes (16.00 MiB)";
    REQUIRE(kMaxWorkloadCsvBytes == 16 * 1024 * 1024);
    // A regular file one byte over: refused from its size (sparse: nothing is written).
    const std::string big = tempCsv("kvscope_workload_over_limit");
    std::ofstream(big) << "10,5\n";
    std::filesystem::resize_file(big, std::uintmax_t(kMaxWorkloadCsvBytes) + 1);
    CHECK_THROWS_WITH(readWorkloadCsv(big, 2048),
                      Contains(big) && Contains("16777217 bytes, more than the limit of " + limit));
    // Exactly at the limit it is read: line 2, the NUL bytes, fails on its content.
    std::filesystem::resize_file(big, std::uintmax_t(kMaxWorkloadCsvBytes));
    CHECK_THROWS_WITH(readWorkloadCsv(big, 2048), Contains(big + ":2") && Contains("1 field"));
    std::filesystem::remove(big);
    // /dev/zero never ends and has no size: the read stops one chunk past the limit.
    CHECK_THROWS_WITH(readWorkloadCsv("/dev/zero", 2048),
                      Contains("/dev/zero") && Contains("larger than the limit of " + limit));
    // The same from a stream.
    std::istringstream stream(std::string(std::size_t(kMaxWorkloadCsvBytes) + 1, '\n'));
    CHECK_THROWS_WITH(parseWorkloadCsv(stream, "s.csv", 2048),
                      Contains("s.csv") && Contains("larger than the limit"));
}

TEST_CASE("a workload CSV from a FIFO is refused; /dev/zero is read up to the limit", "[sim]") {
    // Opening a FIFO blocks until something writes to it (the hostile corpus's F4 hung there):
    // it is refused before it is opened, with no writer anywhere.
    const std::string fifo = tempCsv("kvscope_workload_fifo");
    std::filesystem::remove(fifo);
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH(readWorkloadCsv(fifo, 2048), Contains("not a regular file"));
    std::filesystem::remove(fifo);
    // A device that never ends: read one chunk past the limit, then refused.
    CHECK_THROWS_WITH(readWorkloadCsv("/dev/zero", 2048),
                      Contains("larger than the limit of 16777216"));
}

TEST_CASE("a workload CSV holds at most the simulator's 100000 requests; long fields are cut",
          "[sim]") {
    std::string text;
    text.reserve(std::size_t(kMaxWorkloadCsvRequests + 1) * 4);
    for (std::int64_t i = 0; i <= kMaxWorkloadCsvRequests; ++i)
        text += "1,1\n";
    REQUIRE(std::int64_t(text.size()) <= kMaxWorkloadCsvBytes);
    CHECK_THROWS_WITH(parseWorkloadCsv(text, "many.csv", 2048),
                      Contains("many.csv:100001: more than 100000 requests"));
    text.resize(std::size_t(kMaxWorkloadCsvRequests) * 4);
    CHECK(parseWorkloadCsv(text, "many.csv", 2048).size() == std::size_t(kMaxWorkloadCsvRequests));
    const std::string long_field = "1," + std::string(1000, 'x') + "\n";
    const std::string message = [&] {
        try {
            parseWorkloadCsv(long_field, "w.csv", 2048);
        } catch (const kvscope::InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    }();
    CHECK_THAT(message, Contains("got '" + std::string(40, 'x') + "...'"));
    CHECK(message.size() < 200);
}

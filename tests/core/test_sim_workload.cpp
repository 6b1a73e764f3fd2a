// Serving-simulator workloads: seeded generation, length shapes, shared prompts, CSV parsing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

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

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../core/file_fault.h"
#include "../core/gguf_test_files.h"
#include "cli_test_util.h"
#include "core/trace/trace_file.h"
#include "core/trace/trace_json.h"

using kvscope::test::GgufTempDir;
using kvscope::test::runCliCaptured;
using Args = std::vector<std::string>;

namespace {

Args traceArgs(const std::string& path, const Args& extra = {}) {
    Args args{"generate",         "--model", "builtin:demo", "--prompt", "Hello, cache",
              "--max-new-tokens", "5",       "--trace",      path};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

std::string fileText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("generate --trace FILE.json saves a trace that reads back and re-exports identically",
          "[cli][generate][trace]") {
    GgufTempDir dir;
    const std::string path = dir.file("run.json");
    const auto result = runCliCaptured(traceArgs(path));
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    const kvscope::Trace trace = kvscope::readTraceJsonFile(path);
    REQUIRE(trace.records.size() == 5);  // the prefill gives the first new token
    CHECK(trace.scenario.model == "builtin:demo");
    CHECK(trace.scenario.prompt == "Hello, cache");
    CHECK(trace.scenario.max_new_tokens == 5);
    CHECK(trace.records[0].layers[0].attention.size() ==
          std::size_t(trace.model_info.config.n_heads));
    CHECK_FALSE(trace.backend.empty());

    const std::string again = dir.file("again.json");
    kvscope::saveTrace(again, trace, kvscope::TraceFormat::Json);
    CHECK(fileText(again) == fileText(path));
}

TEST_CASE("generate --trace picks the format from the name or --trace-format",
          "[cli][generate][trace]") {
    GgufTempDir dir;
    SECTION("csv") {
        const std::string path = dir.file("run.CSV");
        REQUIRE(runCliCaptured(traceArgs(path)).code == 0);
        CHECK(fileText(path).rfind("step,phase,first_pos,", 0) == 0);
    }
    SECTION("chrome by name") {
        for (const char* name : {"run.chrome.json", "run.perfetto.json"}) {
            const std::string path = dir.file(name);
            REQUIRE(runCliCaptured(traceArgs(path)).code == 0);
            const auto json = kvscope::test::parseJson(fileText(path));
            CHECK(json["displayTimeUnit"].string == "ms");
            CHECK(json["traceEvents"].size() > 10);
        }
    }
    SECTION("--trace-format wins over the name") {
        const std::string path = dir.file("run.txt");
        REQUIRE(runCliCaptured(traceArgs(path, {"--trace-format", "json"})).code == 0);
        CHECK(kvscope::readTraceJsonFile(path).records.size() == 5);
        const std::string csv = dir.file("really.json");
        REQUIRE(runCliCaptured(traceArgs(csv, {"--trace-format", "csv"})).code == 0);
        CHECK(fileText(csv).rfind("step,", 0) == 0);
    }
}

TEST_CASE("generate --trace rejects bad flags with exit 2 and writes nothing",
          "[cli][generate][trace]") {
    GgufTempDir dir;
    const std::string path = dir.file("run.txt");
    auto result = runCliCaptured(traceArgs(path));
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Catch::Contains("--trace") && Catch::Contains("run.txt"));
    CHECK_FALSE(std::filesystem::exists(path));

    result = runCliCaptured(traceArgs(dir.file("run.json"), {"--trace-format", "xml"}));
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Catch::Contains("--trace-format") && Catch::Contains("xml"));

    result = runCliCaptured({"generate", "--model", "builtin:demo", "--prompt", "x",
                             "--max-new-tokens", "2", "--trace-format", "csv"});
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Catch::Contains("--trace-format: needs --trace"));
}

TEST_CASE("generate --trace into a missing directory exits 2 naming the path",
          "[cli][generate][trace]") {
    GgufTempDir dir;
    const std::string path = dir.file("missing/run.json");
    const auto result = runCliCaptured(traceArgs(path));
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Catch::Contains("--trace: cannot write '" + path + "'") &&
                               Catch::Contains("No such file or directory"));
    CHECK_FALSE(std::filesystem::exists(dir.file("missing")));
}

TEST_CASE("a generate --trace export that fails midway keeps the previous file",
          "[cli][generate][trace]") {
    GgufTempDir dir;
    const std::string path = dir.file("run.json");
    REQUIRE(runCliCaptured(traceArgs(path)).code == 0);
    const std::string previous = fileText(path);
    kvscope::test::CliResult result;
    {
        const kvscope::test::FileSizeLimit limit(2048);
        result = runCliCaptured({"generate", "--model", "builtin:demo", "--prompt",
                                 "something else", "--max-new-tokens", "5", "--trace", path});
    }
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Catch::Contains(path) && Catch::Contains("File too large"));
    CHECK(fileText(path) == previous);
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir.file("")))
        names.push_back(entry.path().filename().string());
    CHECK(names == std::vector<std::string>{"run.json"});
}

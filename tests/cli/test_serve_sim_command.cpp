// `kvscope-cli serve-sim`: the printed headline, JSON fields, the timeline CSV, bad input exit 2.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "json_value.h"

using Catch::Contains;
using kvscope::test::JsonValue;
using kvscope::test::parseJson;
using kvscope::test::runCliCaptured;
using kvscope::test::splitLines;

namespace {

JsonValue serveSimJson(std::vector<std::string> args) {
    return kvscope::test::runCliJson("serve-sim", std::move(args));
}

void checkBadInput(std::vector<std::string> args, const std::string& message) {
    args.insert(args.begin(), "serve-sim");
    const auto result = runCliCaptured(args);
    INFO("args: " << args[1] << " stderr: " << result.err);
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Contains(message));
    CHECK(result.err.find("----") == std::string::npos);  // a flag is spelled once: --block-size
    CHECK(result.out.empty());
}

std::string tempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() / name).string();
}

}  // namespace

TEST_CASE("serve-sim --json: the ShareGPT-like headline for every policy", "[sim][cli]") {
    const JsonValue j = serveSimJson({"--requests", "1000", "--seed", "1"});
    CHECK(j["kv_bytes_per_token"].number == 131072);  // llama-3.1-8b, fp16
    CHECK(j["kv_slots"].number == 32768);             // 4 GiB default budget
    REQUIRE(j["policies"].size() == 4);
    const JsonValue& cmax = j["policies"][0];
    const JsonValue& paged = j["policies"][2];
    CHECK(cmax["policy"].string == "contiguous-max");
    CHECK(paged["policy"].string == "paged");
    CHECK(cmax["kv_utilization"].number >= 0.20);
    CHECK(cmax["kv_utilization"].number <= 0.40);
    CHECK(paged["kv_utilization"].number >= 0.96);
    CHECK(paged["mean_running_seqs"].number >= 3.0 * cmax["mean_running_seqs"].number);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(j["policies"][i]["completed"].number == 1000);
        CHECK(j["policies"][i]["completion_steps"]["p99"].number > 0);
    }
}

TEST_CASE("serve-sim text prints the table and the headline", "[sim][cli]") {
    const auto result = runCliCaptured({"serve-sim", "--requests", "300"});
    REQUIRE(result.code == 0);
    CHECK_THAT(result.out, Contains("KV util"));
    CHECK_THAT(result.out, Contains("contiguous-exact"));
    CHECK_THAT(result.out, Contains("headline: contiguous max-length reservation"));
    CHECK_THAT(result.out, Contains("GiB"));
    CHECK_THAT(result.err, Contains("serve-sim: 100%") || Contains("serve-sim: 0%"));
}

TEST_CASE("serve-sim with a system prompt, samples, a GPU and a CSV workload", "[sim][cli]") {
    const JsonValue shared =
        serveSimJson({"--requests", "50", "--system-prompt", "256", "--shared-fraction", "0.5",
                      "--samples", "2", "--policy", "paged-prefix", "--rate", "0.5"});
    REQUIRE(shared["policies"].size() == 1);
    CHECK(shared["policies"][0]["prefix_hit_tokens"].number > 0);
    const JsonValue gpu = serveSimJson(
        {"--requests", "50", "--gpu", "H100-80GB", "--model", "llama-3.1-8b", "--policy", "paged"});
    CHECK(gpu["kv_budget_bytes"].number > 40.0 * (1ll << 30));
    const std::string csv = tempPath("kvscope_serve_sim_workload.csv");
    std::ofstream(csv) << "prompt_len,output_len,arrival\n100,50,0\n200,20,3\n";
    const JsonValue fromCsv = serveSimJson({"--workload", "csv:" + csv, "--policy", "paged"});
    CHECK(fromCsv["requests"].number == 2);
    CHECK(fromCsv["policies"][0]["tokens_generated"].number == 70);
    std::remove(csv.c_str());
}

TEST_CASE("serve-sim --csv writes the timeline of every policy", "[sim][cli]") {
    const std::string path = tempPath("kvscope_serve_sim_timeline.csv");
    std::remove(path.c_str());
    const auto result = runCliCaptured({"serve-sim", "--requests", "100", "--csv", path, "--json"});
    REQUIRE(result.code == 0);
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto lines = splitLines(text);
    REQUIRE(lines.size() > 10);
    CHECK(lines[0] ==
          "policy,step,running_seqs,waiting,held,reserved,logical,generated,computed,preemptions");
    CHECK_THAT(text, Contains("\ncontiguous-max,0,"));
    CHECK_THAT(text, Contains("\npaged-prefix,"));
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    std::remove(path.c_str());
    const std::string bad = "/nonexistent-dir/kvscope/timeline.csv";
    checkBadInput({"--requests", "10", "--csv", bad}, "--csv");
    CHECK_FALSE(std::filesystem::exists(bad));
}

TEST_CASE("serve-sim bad flags exit 2 naming the flag", "[sim][cli]") {
    checkBadInput({"--block-size", "0"}, "--block-size");
    checkBadInput({"--block-size", "129"}, "--block-size: expected an integer in [1, 128]");
    checkBadInput({"--policy", "best"}, "--policy");
    checkBadInput({"--workload", "zipf"}, "--workload");
    checkBadInput({"--rate", "-1"}, "--rate");
    checkBadInput({"--rate", "0"}, "--rate");
    checkBadInput({"--requests", "many"}, "--requests");
    checkBadInput({"--shared-fraction", "0.5"}, "--system-prompt");
    checkBadInput({"--system-prompt", "10", "--shared-fraction", "2"}, "--shared-fraction");
    checkBadInput({"--samples", "65"}, "samples");
    checkBadInput({"--kv-budget", "1000", "--gpu", "H100-80GB"}, "not both");
    checkBadInput({"--model", "gpt-17"}, "--model");
    checkBadInput({"--gpu", "toaster"}, "--gpu");
    checkBadInput({"--kv-budget", "1000"}, "KV budget");
    checkBadInput({"--kv-budget", "67108864"}, "never fit");  // 512 slots < max_seq
    checkBadInput({"--workload", "csv:/nonexistent/w.csv"}, "/nonexistent/w.csv");
    const std::string csv = tempPath("kvscope_serve_sim_bad.csv");
    std::ofstream(csv) << "10,5\n10,five\n";
    checkBadInput({"--workload", "csv:" + csv}, ":2: output_len");
    checkBadInput({"--workload", "csv:" + csv}, "--workload: ");
    // Too large: /dev/zero (no size, never ends) and a regular file one byte over 16 MiB.
    checkBadInput({"--workload", "csv:/dev/zero"},
                  "--workload: /dev/zero: the workload CSV is larger than the limit of 16777216 "
                  "bytes (16.00 MiB)");
    std::filesystem::resize_file(csv, 16 * 1024 * 1024 + 1);
    checkBadInput({"--workload", "csv:" + csv},
                  "the workload CSV is 16777217 bytes, more than the limit of 16777216");
    std::remove(csv.c_str());
}

TEST_CASE("serve-sim --csv leaves a file or symlink named OUT.tmp alone", "[sim][cli]") {
    // Issue #16: the CSV went through the fixed name OUT.tmp, destroying a file there and
    // following a symlink there to another file.
    const std::string path = tempPath("kvscope_serve_sim_tmp_name.csv");
    const std::string victim = tempPath("kvscope_serve_sim_victim.txt");
    std::remove(path.c_str());
    std::remove((path + ".tmp").c_str());
    std::ofstream(victim) << "precious\n";
    std::filesystem::create_symlink(victim, path + ".tmp");
    const auto result = runCliCaptured({"serve-sim", "--requests", "20", "--csv", path});
    CHECK(result.code == 0);
    std::ifstream in(victim);
    const std::string kept((std::istreambuf_iterator<char>(in)), {});
    CHECK(kept == "precious\n");
    CHECK(std::filesystem::is_symlink(path + ".tmp"));
    CHECK(std::filesystem::file_size(path) > 100);
    std::remove(path.c_str());
    std::remove((path + ".tmp").c_str());
    std::remove(victim.c_str());
}

TEST_CASE("serve-sim: every input has a limit checked before the work", "[sim][cli]") {
    // Issue #16: --requests 1000000 or a huge --kv-budget allocated gigabytes and ended as an
    // internal error; a CSV length of 2^63-1 printed negative step counts.
    checkBadInput({"--requests", "1000000"},
                  "--requests: expected an integer in [1, 100000], got '1000000'");
    checkBadInput({"--kv-budget", "1125899906842624"},  // 1 PiB of llama-3.1-8b fp16 KV
                  "blocks of 16 tokens; the simulator holds at most 4194304");
    checkBadInput({"--kv-budget", "2251799813685248"}, "--kv-budget: expected an integer in");
    checkBadInput({"--max-seq", "2000000"}, "--max-seq: expected an integer in [2, 1048576]");
    const std::string csv = tempPath("kvscope_serve_sim_huge.csv");
    std::ofstream(csv) << "prompt_len,output_len,arrival\n9223372036854775807,5\n";
    checkBadInput({"--workload", "csv:" + csv},
                  ":2: prompt_len 9223372036854775807 + output_len 5 exceeds max_seq 2048");
    std::ofstream(csv) << "prompt_len,output_len,arrival\n10,5,9223372036854775807\n";
    checkBadInput({"--workload", "csv:" + csv}, "arrives at step 9223372036854775807");
    std::remove(csv.c_str());
}

// --backend cpu|cuda|auto (app/cli/backend_flag.h) on every command that computes: an explicit
// cuda without a usable CUDA exits 2 saying why, auto falls back to the CPU and says so.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "app/launch/launch_options.h"
#include "cli_test_util.h"
#include "tests/cuda_reason.h"

using namespace kvscope;
using kvscope::test::runCliCaptured;

namespace {

/// Every command that computes, with the flags it needs to start.
const std::vector<std::vector<std::string>>& computingCommands() {
    static const std::vector<std::vector<std::string>> commands = {
        {"generate", "--model", "builtin:demo", "--prompt", "ab", "--max-new-tokens", "2"},
        {"attention", "--model", "builtin:demo", "--prompt", "ab", "--layer", "0", "--head", "0"},
        {"quant-eval", "--model", "builtin:demo"},
        {"evict-eval", "--model", "builtin:demo"},
        {"bench", "--quick"},
    };
    return commands;
}

}  // namespace

TEST_CASE("backend flag: cuda exits 2 and says why when CUDA is unavailable", "[cli][backend]") {
    const std::string reason = test::expectedCudaReason();
    if (reason.empty()) {
        // A usable device: the same flag runs on it instead (checked by the next test).
        SUCCEED("CUDA is usable here");
        return;
    }
    for (std::vector<std::string> args : computingCommands()) {
        args.insert(args.end(), {"--backend", "cuda"});
        const auto result = runCliCaptured(args);
        INFO(args[0] << " stderr: " << result.err);
        CHECK(result.code == 2);
        CHECK(result.err.find("--backend cuda: CUDA is unavailable: ") != std::string::npos);
        CHECK(result.err.find(reason) != std::string::npos);
        CHECK(result.out.empty());
    }
}

TEST_CASE("backend flag: auto runs, on CUDA when usable and else on the CPU saying why",
          "[cli][backend]") {
    const std::string reason = test::expectedCudaReason();
    const auto result = runCliCaptured({"generate", "--model", "builtin:demo", "--prompt", "ab",
                                        "--max-new-tokens", "2", "--backend", "auto", "--json"});
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    if (reason.empty()) {
        CHECK(result.out.find("\"backend\":\"CUDA (") != std::string::npos);
    } else {
        CHECK(result.err.find("--backend auto: CUDA is unavailable (") != std::string::npos);
        CHECK(result.err.find(reason) != std::string::npos);
        CHECK(result.err.find("running on the CPU") != std::string::npos);
        CHECK(result.out.find("\"backend\":\"CPU (Eigen") != std::string::npos);
    }
}

TEST_CASE("backend flag: cpu is the default and takes only cpu, cuda or auto", "[cli][backend]") {
    const auto cpu = runCliCaptured({"generate", "--model", "builtin:demo", "--prompt", "ab",
                                     "--max-new-tokens", "2", "--backend", "cpu", "--json"});
    CHECK(cpu.code == 0);
    CHECK(cpu.err.find("CUDA") == std::string::npos);
    CHECK(cpu.out.find("\"backend\":\"CPU (Eigen") != std::string::npos);

    const auto bad = runCliCaptured({"generate", "--model", "builtin:demo", "--prompt", "ab",
                                     "--max-new-tokens", "2", "--backend", "gpu"});
    CHECK(bad.code == 2);
    CHECK(bad.err.find("--backend: expected cpu, cuda or auto, got 'gpu'") != std::string::npos);

    // Commands that run no model have no backend to choose.
    const auto info = runCliCaptured({"info", "--model", "builtin:demo", "--backend", "cpu"});
    CHECK(info.code == 2);
    CHECK(info.err.find("unknown flag '--backend'") != std::string::npos);
}

TEST_CASE("bench --kernels needs a usable CUDA device and says why it cannot run",
          "[cli][backend]") {
    const std::string reason = test::expectedCudaReason();
    if (reason.empty()) {
        SUCCEED("CUDA is usable here: scripts/gpu-check.sh runs the kernel bench");
        return;
    }
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"bench", "--kernels", "--json"},
          std::vector<std::string>{"bench", "--kernels", "--backend", "cuda", "--json"}}) {
        const auto result = runCliCaptured(args);
        INFO("stderr: " << result.err);
        CHECK(result.code == 2);
        CHECK(result.err.find(reason) != std::string::npos);
        CHECK(result.out.empty());
    }
}

TEST_CASE("kvscope takes --backend with the same words and checks", "[cli][backend]") {
    const std::string reason = test::expectedCudaReason();
    CHECK(parseLaunchOptions({"--backend", "cpu"}).backend == BackendKind::Cpu);
    CHECK_THROWS_WITH(parseLaunchOptions({"--backend", "gpu"}),
                      Catch::Contains("--backend: expected cpu, cuda or auto, got 'gpu'"));
    if (reason.empty()) {
        CHECK(parseLaunchOptions({"--backend", "cuda"}).backend == BackendKind::Cuda);
        return;
    }
    CHECK_THROWS_WITH(
        parseLaunchOptions({"--backend", "cuda"}),
        Catch::Contains("--backend cuda: CUDA is unavailable: ") && Catch::Contains(reason));
    CHECK(parseLaunchOptions({"--backend", "auto"}).backend == BackendKind::Cpu);
}

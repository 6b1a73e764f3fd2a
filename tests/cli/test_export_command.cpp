// `kvscope-cli export` in-process: the flags are checked without Qt, and with no renderer
// registered (kvscope_cli_lib alone, as in a KVSCOPE_GUI=OFF build) it says it needs the GUI.
#include <catch2/catch.hpp>

#include "cli_test_util.h"

using kvscope::test::runCliCaptured;

namespace {

const std::vector<std::string> kGood = {"export", "--scenario", "s.kvscope.json",
                                        "--what", "heatmap",    "--format",
                                        "png",    "--out",      "x.png"};

std::vector<std::string> with(std::vector<std::string> args, const std::string& flag,
                              const std::string& value) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == flag) {
            args[i + 1] = value;
            return args;
        }
    args.push_back(flag);
    args.push_back(value);
    return args;
}

}  // namespace

TEST_CASE("export without the GUI renderer exits 2 saying it needs the GUI build", "[cli]") {
    const auto result = runCliCaptured(kGood);
    CHECK(result.code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find("export needs the GUI build") != std::string::npos);
    CHECK(result.err.find("KVSCOPE_GUI") != std::string::npos);
}

TEST_CASE("export checks --what, --format and --scale before anything else", "[cli]") {
    struct Case {
        std::string flag, value, needle;
    };
    const Case cases[] = {
        {"--what", "pie", "--what: expected heatmap|"},
        {"--format", "gif", "--format: expected png|svg|pdf|csv|json, got 'gif'"},
        {"--scale", "0", "kvscope-cli: --scale: expected an integer in [1, 4], got '0'"},
        {"--scale", "5", "--scale: expected an integer in [1, 4], got '5'"},
        {"--out", "", "--out"},
    };
    for (const Case& c : cases) {
        const auto result = runCliCaptured(with(kGood, c.flag, c.value));
        INFO(c.flag << " " << c.value << ": " << result.err);
        CHECK(result.code == 2);
        CHECK(result.err.find(c.needle) != std::string::npos);
        CHECK(result.err.find("----") == std::string::npos);  // issue #16: "----scale"
    }
    const auto missing = runCliCaptured({"export", "--what", "heatmap"});
    CHECK(missing.code == 2);
    CHECK(missing.err.find("--scenario") != std::string::npos);
}

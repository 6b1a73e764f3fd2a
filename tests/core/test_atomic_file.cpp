#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "file_fault.h"
#include "gguf_test_files.h"
#include "test_util.h"
#include "trace_test_util.h"

namespace fs = std::filesystem;
using namespace kvscope;
using namespace kvscope::test;

namespace {

/// The names in `dir`, sorted.
std::vector<std::string> namesIn(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("writeFileAtomically writes the content and leaves no temporary file", "[atomic_file]") {
    GgufTempDir dir;
    const std::string path = dir.file("out.json");
    writeFileAtomically(path, std::string_view("{\"a\": 1}\n"));
    CHECK(readWholeFile(path) == "{\"a\": 1}\n");
    writeFileAtomically(path, [](std::ostream& out) { out << "second"; });
    CHECK(readWholeFile(path) == "second");
    CHECK(namesIn(fs::path(path).parent_path().string()) == std::vector<std::string>{"out.json"});
}

TEST_CASE("writeFileAtomically into a missing directory names the path and the OS reason",
          "[atomic_file]") {
    GgufTempDir dir;
    const std::string path = dir.file("no/such/dir/out.json");
    const std::string message =
        inputErrorOf([&] { writeFileAtomically(path, std::string_view("x")); });
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("No such file or directory"));
    CHECK_FALSE(fs::exists(dir.file("no")));
}

TEST_CASE("writeFileAtomically into a read-only directory fails and creates nothing",
          "[atomic_file]") {
    GgufTempDir dir;
    fs::create_directories(dir.file("ro"));
    const std::string read_only = readOnlyDirectory(dir.file("ro"));
    INFO("read-only directory: " << read_only);
    const auto before = namesIn(read_only);
    const std::string path = read_only + "/kvscope_trace_test.json";
    const std::string message =
        inputErrorOf([&] { writeFileAtomically(path, std::string_view("x")); });
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("Permission denied"));
    CHECK_FALSE(fs::exists(path));
    CHECK(namesIn(read_only) == before);
    fs::permissions(dir.file("ro"), fs::perms::owner_all, fs::perm_options::add);
}

TEST_CASE("writeFileAtomically keeps the previous file when the writer throws", "[atomic_file]") {
    GgufTempDir dir;
    const std::string path = dir.file("trace.json");
    writeFileAtomically(path, std::string_view("previous"));
    CHECK_THROWS_WITH(writeFileAtomically(path,
                                          [](std::ostream& out) {
                                              out << std::string(100000, 'x');
                                              throw std::runtime_error("cancelled halfway");
                                          }),
                      "cancelled halfway");
    CHECK(readWholeFile(path) == "previous");
    CHECK(namesIn(fs::path(path).parent_path().string()) == std::vector<std::string>{"trace.json"});
}

TEST_CASE("writeFileAtomically keeps the previous file when the disk refuses a write midway",
          "[atomic_file]") {
    GgufTempDir dir;
    const std::string path = dir.file("trace.json");
    writeFileAtomically(path, std::string_view("previous"));
    std::string message;
    {
        const FileSizeLimit limit(4096);
        message = inputErrorOf([&] {
            writeFileAtomically(path, [](std::ostream& out) { out << std::string(1 << 20, 'x'); });
        });
    }
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("File too large"));
    CHECK(readWholeFile(path) == "previous");
    CHECK(namesIn(fs::path(path).parent_path().string()) == std::vector<std::string>{"trace.json"});
}

TEST_CASE("writeFileAtomically refuses a directory as the target and leaves it alone",
          "[atomic_file]") {
    GgufTempDir dir;
    const std::string path = dir.file("taken");
    fs::create_directories(path + "/inside");
    const std::string message =
        inputErrorOf([&] { writeFileAtomically(path, std::string_view("x")); });
    CHECK_THAT(message, Catch::Contains(path));
    CHECK(fs::is_directory(path + "/inside"));
    CHECK(namesIn(fs::path(path).parent_path().string()) == std::vector<std::string>{"taken"});
}

TEST_CASE("writeFileAtomically takes every name the file system accepts, up to NAME_MAX",
          "[atomic_file]") {
    GgufTempDir dir;
    const std::string root = fs::path(dir.file("x")).parent_path().string();
    // 255 bytes is ext4's and tmpfs's limit: ".NAME.tmp-PID-RANDOM" would pass it, so the
    // temporary's copy of NAME is cut short; the target keeps its whole name.
    for (std::size_t length : {200u, 240u, 255u}) {
        const std::string path = dir.file(std::string(length - 4, 'n') + ".csv");
        writeFileAtomically(path, std::string_view("long name\n"));
        CHECK(readWholeFile(path) == "long name\n");
        CHECK(namesIn(root).size() == 1);
        fs::remove(path);
    }
    // A name over the limit is the OS's to refuse, with its reason.
    const std::string too_long = dir.file(std::string(256, 'n'));
    CHECK_THROWS_WITH(writeFileAtomically(too_long, std::string_view("x")),
                      Catch::Contains("cannot write") && Catch::Contains("File name too long"));
    CHECK(namesIn(root).empty());
}

TEST_CASE("writeFileAtomically never writes through NAME.tmp: a file or symlink there is kept",
          "[atomic_file]") {
    GgufTempDir dir;
    const std::string path = dir.file("out.csv");
    const std::string victim = dir.file("victim.txt");
    writeFileAtomically(victim, std::string_view("precious\n"));
    fs::create_symlink(victim, path + ".tmp");  // the fixed name an older writer used
    writeFileAtomically(path, std::string_view("new\n"));
    CHECK(readWholeFile(path) == "new\n");
    CHECK(readWholeFile(victim) == "precious\n");
    CHECK(fs::is_symlink(path + ".tmp"));
}

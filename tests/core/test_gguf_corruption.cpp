// The GGUF reader against broken files: every truncation, random bit flips, and hand-made lies
// about sizes. Each must end in InputError "GGUF <path>: at offset N: ..." and never in a crash,
// a hang or an allocation the file cannot justify (a huge count must be refused before anything
// is reserved: the messages below are the up-front checks, not an out-of-bytes error later).
#include <catch2/catch.hpp>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/model/dequantize.h"
#include "core/model/gguf_file.h"
#include "core/util/error.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/gguf_writer.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

const std::string kName = "mem.gguf";

struct Outcome {
    bool ok = false;
    std::string message;  // the InputError's text when !ok
};

/// Reads a tensor's or value's every byte, as `info` would and as loading would.
void exercise(const GgufFile& file) {
    for (const GgufMetadataEntry& entry : file.metadata()) {
        (void)file.summary(entry);
        (void)file.value(entry);
    }
    for (const GgufTensorInfo& t : file.tensors()) {
        if (canDequantize(t.type) && t.n_elements <= (1 << 20)) (void)file.dequantizeTensor(t.name);
    }
}

/// Parses `bytes`; InputError becomes the outcome, anything else propagates and fails the test.
Outcome tryParse(std::vector<std::byte> bytes, bool exercise_on_success = true) {
    try {
        const GgufFile file = GgufFile::fromBytes(std::move(bytes), kName);
        if (exercise_on_success) exercise(file);
        return {true, ""};
    } catch (const InputError& e) {
        return {false, e.what()};
    }
}

/// The N of "GGUF mem.gguf: at offset N: ...", or -1 when the message has another form.
std::int64_t reportedOffset(const std::string& message) {
    const std::string prefix = "GGUF " + kName + ": at offset ";
    if (message.rfind(prefix, 0) != 0) return -1;
    std::size_t end = prefix.size();
    while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end])))
        ++end;
    if (end == prefix.size() || message.compare(end, 2, ": ") != 0) return -1;
    return std::stoll(message.substr(prefix.size(), end - prefix.size()));
}

void expectError(const std::vector<std::byte>& bytes, std::int64_t offset,
                 const std::string& fragment) {
    const Outcome outcome = tryParse(bytes);
    INFO("message: " << outcome.message);
    REQUIRE_FALSE(outcome.ok);
    CHECK(reportedOffset(outcome.message) == offset);
    CHECK_THAT(outcome.message, Catch::Contains(fragment));
}

/// A small file with a bit of everything: scalars, strings, nested arrays, three tensors.
std::vector<std::byte> smallFile(std::uint32_t version, GgufWriter::Layout* layout = nullptr) {
    std::vector<std::byte> q8(34, std::byte{3});
    q8[0] = std::byte{0x00}, q8[1] = std::byte{0x3C};  // d = 1.0
    GgufValue::Array inner = {ggufStrings({"x", "yz"}), ggufStrings({})};
    GgufWriter writer(version);
    writer.kv("general.architecture", ggufStr("llama"))
        .kv("llama.block_count", ggufU32(1))
        .kv("llama.attention.layer_norm_rms_epsilon", ggufF32(1e-5f))
        .kv("tokenizer.ggml.add_space_prefix", ggufBool(true))
        .kv("tokenizer.ggml.tokens", ggufStrings({"<unk>", "<s>", "</s>"}))
        .kv("nested", GgufValue::ofArray(GgufType::Array, inner))
        .kv("big", ggufU64(1ull << 40))
        .tensorF32("a", {4, 2}, {1, 2, 3, 4, 5, 6, 7, 8})
        .tensor("q", GgmlType::Q8_0, {32}, q8)
        .tensor("h", GgmlType::F16, {3}, std::vector<std::byte>(6, std::byte{0x3C}));
    return writer.build(layout);
}

std::vector<std::byte> readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

std::vector<std::byte> prefix(const std::vector<std::byte>& bytes, std::size_t n) {
    return {bytes.begin(), bytes.begin() + std::ptrdiff_t(n)};
}

/// Checks that every prefix length in `lengths` fails with an offset inside the prefix.
void checkTruncations(const std::vector<std::byte>& full, const std::vector<std::size_t>& lengths) {
    int clean = 0;
    for (std::size_t n : lengths) {
        const Outcome outcome = tryParse(prefix(full, n));
        const std::int64_t at = reportedOffset(outcome.message);
        if (!outcome.ok && at >= 0 && at <= std::int64_t(n)) {
            ++clean;
        } else {
            INFO("prefix of " << n << " bytes: " << (outcome.ok ? "parsed" : outcome.message));
            CHECK(false);
        }
    }
    CHECK(clean == int(lengths.size()));
}

/// Flips random bits (and sometimes writes 0xFF runs, which make huge counts) in
/// [0, header_end) of `original` `n` times; every outcome must be a parse or an InputError.
void checkFlips(const std::vector<std::byte>& original, std::size_t header_end, int n,
                std::uint64_t seed, bool exercise_on_success) {
    std::mt19937_64 rng(seed);
    int parsed = 0, refused = 0;
    for (int i = 0; i < n; ++i) {
        std::vector<std::byte> bytes = original;
        const std::size_t at = std::size_t(rng() % header_end);
        if (rng() % 4 == 0) {
            for (std::size_t k = at; k < std::min(header_end, at + 1 + rng() % 8); ++k)
                bytes[k] = std::byte{0xFF};
        } else {
            bytes[at] ^= std::byte(std::uint8_t(1u << (rng() % 8)));
        }
        INFO("iteration " << i << ", offset " << at);
        const Outcome outcome = tryParse(std::move(bytes), exercise_on_success);
        if (outcome.ok) {
            ++parsed;
        } else {
            ++refused;
            const std::int64_t where = reportedOffset(outcome.message);
            if (where < 0 || where > std::int64_t(original.size())) {
                INFO("message: " << outcome.message);
                CHECK(false);
            }
        }
    }
    CHECK(parsed + refused == n);
    CHECK(refused > 0);  // the flips did hit something that matters
}

}  // namespace

TEST_CASE("GGUF: every truncation of a small file is refused with its offset", "[gguf]") {
    for (std::uint32_t version : {1u, 2u, 3u}) {
        INFO("GGUF version " << version);
        const std::vector<std::byte> full = smallFile(version);
        REQUIRE(tryParse(full).ok);
        std::vector<std::size_t> lengths;
        for (std::size_t n = 0; n < full.size(); ++n)
            lengths.push_back(n);
        checkTruncations(full, lengths);
    }
    // The mmap path too: a few truncated files on disk.
    GgufTempDir dir;
    const std::vector<std::byte> full = smallFile(3);
    for (std::size_t n :
         {std::size_t(0), std::size_t(7), std::size_t(23), full.size() / 2, full.size() - 1}) {
        const std::string path = dir.file("cut" + std::to_string(n) + ".gguf");
        writeBytes(path, prefix(full, n));
        CHECK_THROWS_WITH(GgufFile::open(path), Catch::StartsWith("GGUF " + path + ": at offset "));
    }
}

TEST_CASE("GGUF: random bit flips in a small file's header never crash", "[gguf]") {
    for (std::uint32_t version : {1u, 3u}) {
        GgufWriter::Layout layout;
        const std::vector<std::byte> full = smallFile(version, &layout);
        checkFlips(full, layout.data_at, 3000, 20261123 + version, true);
    }
}

TEST_CASE("GGUF: size-lying headers are refused before allocating", "[gguf]") {
    GgufWriter::Layout l;
    const std::vector<std::byte> good = smallFile(3, &l);
    REQUIRE(tryParse(good).ok);
    const std::int64_t n_dims_at = std::int64_t(l.tensor_info_at[0]) + 8 + 1;  // after "a"
    const std::int64_t dim0_at = n_dims_at + 4;

    SECTION("wrong magic, unknown and big-endian versions") {
        std::vector<std::byte> b = good;
        b[3] = std::byte{'G'};
        expectError(b, 0, "not a GGUF file: the magic is \"GGUG\"");
        expectError({}, 0, "not a GGUF file");
        expectError(prefix(good, 3), 0, "not a GGUF file");
        b = good, patch<std::uint32_t>(b, 4, 4);
        expectError(b, 4, "unsupported GGUF version 4");
        b = good, patch<std::uint32_t>(b, 4, 0);
        expectError(b, 4, "unsupported GGUF version 0");
        b = good, patch<std::uint32_t>(b, 4, 0x03000000);
        expectError(b, 4, "big-endian GGUF files are not supported");
    }
    SECTION("huge counts") {
        std::vector<std::byte> b = good;
        patch<std::uint64_t>(b, 8, 1ull << 60);
        expectError(b, 8, "tensor count 1152921504606846976 cannot fit");
        b = good, patch<std::uint64_t>(b, 8, 1ull << 63);
        expectError(b, 8, "tensor count 9223372036854775808 exceeds 2^63 - 1");
        b = good, patch<std::uint64_t>(b, 16, 1ull << 60);
        expectError(b, 16, "metadata key/value count 1152921504606846976 cannot fit");
        b = good, patch<std::uint64_t>(b, 16, 1ull << 24);  // 16M pairs in a few hundred bytes
        expectError(b, 16, "metadata key/value count 16777216 cannot fit");
        b = good, patch<std::uint64_t>(b, 8, 1000);  // more tensor infos than bytes after the kvs
        expectError(b, 8, "tensor count 1000 cannot fit");
    }
    SECTION("huge string lengths and array counts") {
        std::vector<std::byte> b = good;
        patch<std::uint64_t>(b, 24, 1ull << 62);  // the first key's length
        expectError(b, 24, "key length 4611686018427387904 exceeds the");
        const std::size_t tokens = l.value_at[4];  // element type (4) + count (8) + strings
        b = good, patch<std::uint64_t>(b, tokens + 4, 1ull << 60);
        expectError(b, std::int64_t(tokens + 4), "array of 1152921504606846976 string needs");
        b = good, patch<std::uint64_t>(b, tokens + 12, 1ull << 62);  // first token's length
        expectError(b, std::int64_t(tokens + 12), "string length 4611686018427387904 exceeds");
        b = good, patch<std::uint64_t>(b, l.tensor_info_at[0], 1ull << 62);
        expectError(b, std::int64_t(l.tensor_info_at[0]), "tensor name length");
    }
    SECTION("bad value types, bools and keys") {
        std::vector<std::byte> b = good;
        patch<std::uint32_t>(b, l.value_at[1] - 4, 13);
        expectError(b, std::int64_t(l.value_at[1] - 4), "value type 13 is not a GGUF type");
        b = good, patch<std::uint32_t>(b, l.value_at[4], 99);
        expectError(b, std::int64_t(l.value_at[4]), "array element type 99 is not a GGUF type");
        b = good, patch<std::uint8_t>(b, l.value_at[3], 2);
        expectError(b, std::int64_t(l.value_at[3]), "bool value 2 is not 0 or 1");
        b = good, patch<std::uint64_t>(b, l.kv_at[1], 0);
        expectError(b, std::int64_t(l.kv_at[1]), "empty key");
        GgufWriter dup(3);
        dup.kv("k", ggufU8(1)).kv("k", ggufU8(2));
        GgufWriter::Layout dl;
        const std::vector<std::byte> d = dup.build(&dl);
        expectError(d, std::int64_t(dl.kv_at[1]), "duplicate key (key 'k')");
    }
    SECTION("arrays nested too deep") {
        GgufValue deep = ggufStrings({"leaf"});
        for (int i = 0; i < 20; ++i)
            deep = GgufValue::ofArray(GgufType::Array, {deep});
        GgufWriter w(3);
        w.kv("deep", deep);
        const Outcome outcome = tryParse(w.build());
        CHECK_FALSE(outcome.ok);
        CHECK_THAT(outcome.message,
                   Catch::Contains("nested deeper than 8") && Catch::Contains("(key 'deep')"));
    }
    SECTION("alignment 0, 3 and of the wrong type") {
        for (std::uint32_t bad : {0u, 3u, 48u}) {
            GgufWriter w(3);
            w.kv("general.alignment", ggufU32(bad)).tensorF32("t", {1}, {1});
            GgufWriter::Layout wl;
            const std::vector<std::byte> b = w.build(&wl);
            expectError(b, std::int64_t(wl.value_at[0]),
                        "general.alignment " + std::to_string(bad) + " is not a power of two");
        }
        GgufWriter w(3);
        w.kv("general.alignment", ggufStr("32"));
        GgufWriter::Layout wl;
        const std::vector<std::byte> b = w.build(&wl);
        expectError(b, std::int64_t(wl.value_at[0]),
                    "has type string, expected an unsigned integer (key 'general.alignment')");
    }
    SECTION("tensor n_dims, dims and types") {
        std::vector<std::byte> b = good;
        patch<std::uint32_t>(b, std::size_t(n_dims_at), 0);
        expectError(b, n_dims_at, "n_dims 0 is not in 1..4 (tensor 'a')");
        b = good, patch<std::uint32_t>(b, std::size_t(n_dims_at), 99);
        expectError(b, n_dims_at, "n_dims 99 is not in 1..4");
        b = good, patch<std::uint64_t>(b, std::size_t(dim0_at), 1ull << 62);
        patch<std::uint64_t>(b, std::size_t(dim0_at + 8), 1ull << 62);
        expectError(b, dim0_at + 8, "element count overflows 64 bits at dimension 1");
        b = good, patch<std::uint64_t>(b, std::size_t(dim0_at), 1ull << 63);
        expectError(b, dim0_at, "dimension 0 9223372036854775808 exceeds 2^63 - 1");
        b = good, patch<std::uint64_t>(b, std::size_t(dim0_at), 1ull << 61);
        patch<std::uint64_t>(b, std::size_t(dim0_at + 8), 2);  // 2^62 F32 = 2^64 bytes
        expectError(b, n_dims_at, "byte size overflows 64 bits");
        b = good, patch<std::uint32_t>(b, l.tensor_type_at[0], 99);
        expectError(b, std::int64_t(l.tensor_type_at[0]), "unknown ggml tensor type id 99");
        b = good, patch<std::uint32_t>(b, l.tensor_type_at[0], 4);  // retired Q4_2
        expectError(b, std::int64_t(l.tensor_type_at[0]), "unknown ggml tensor type id 4");
        b = good, patch<std::uint32_t>(b, l.tensor_type_at[0], std::uint32_t(GgmlType::Q8_0));
        expectError(b, n_dims_at, "8 elements are not a whole number of Q8_0 blocks of 32");
    }
    SECTION("tensor data outside the file") {
        std::vector<std::byte> b = good;
        const auto at = std::int64_t(l.tensor_offset_at[1]);
        patch<std::uint64_t>(b, l.tensor_offset_at[1], 1ull << 20);
        expectError(b, at, "lies past the end of the file");
        b = good, patch<std::uint64_t>(b, l.tensor_offset_at[1], (1ull << 63) - 32);
        expectError(b, at, "lies past the end of the file");
        b = good, patch<std::uint64_t>(b, l.tensor_offset_at[1], ~0ull);
        expectError(b, at, "tensor data offset 18446744073709551615 exceeds 2^63 - 1");
        b = good, patch<std::uint64_t>(b, l.tensor_offset_at[1], 4);
        expectError(b, at, "tensor data offset 4 is not a multiple of the alignment 32");
        b = good, patch<std::uint64_t>(b, std::size_t(dim0_at), 1 << 20);  // 8 MiB of F32
        expectError(b, std::int64_t(l.tensor_offset_at[0]), "lies past the end of the file");
        GgufWriter dup(3);
        dup.tensorF32("t", {1}, {1}).tensorF32("t", {1}, {2});
        GgufWriter::Layout dl;
        const std::vector<std::byte> d = dup.build(&dl);
        expectError(d, std::int64_t(dl.tensor_info_at[1]), "duplicate tensor name (tensor 't')");
    }
    SECTION("v1: 32-bit counts that lie") {
        GgufWriter::Layout l1;
        const std::vector<std::byte> v1 = smallFile(1, &l1);
        REQUIRE(tryParse(v1).ok);
        std::vector<std::byte> b = v1;
        patch<std::uint32_t>(b, 8, 0xFFFFFFFFu);
        expectError(b, 8, "tensor count 4294967295 cannot fit");
        b = v1, patch<std::uint32_t>(b, l1.value_at[4] + 4, 0xFFFFFFFFu);
        expectError(b, std::int64_t(l1.value_at[4] + 4), "array of 4294967295 string needs");
    }
}

TEST_CASE("GGUF: a 4 GiB sparse file opens by reading only its header", "[gguf]") {
    // One F32 tensor of 2^30 elements (4 GiB) after a tiny header; the file is made sparse with
    // resize_file (ftruncate), so only the header's pages exist on disk. Opening it maps 4 GiB
    // and reads one page (measured: about 0.05 ms, like the 1.2 MB stories260K.gguf; not asserted).
    GgufTempDir dir;
    const std::string path = dir.file("sparse.gguf");
    GgufWriter writer(3);
    writer.kv("general.name", ggufStr("sparse")).tensor("big", GgmlType::F32, {1ull << 30}, {});
    GgufWriter::Layout layout;
    writeBytes(path, writer.build(&layout));
    const std::uintmax_t size = layout.data_at + (4ull << 30);
    std::filesystem::resize_file(path, size);
    REQUIRE(std::filesystem::file_size(path) == size);

    const GgufFile file = GgufFile::open(path);
    CHECK(file.fileSize() == std::int64_t(size));
    CHECK(file.findString("general.name") == "sparse");
    const GgufTensorInfo& big = *file.findTensor("big");
    CHECK(big.byte_size == (4ll << 30));
    CHECK(big.file_offset + big.byte_size == file.fileSize());
    // Touch the last byte only: a hole reads as zero.
    CHECK(file.tensorBytes(big).back() == std::byte{0});
}

TEST_CASE("GGUF: truncations and bit flips of the real files' headers are refused cleanly",
          "[gguf][real-model]") {
    for (const char* name : {"stories260K.gguf", "tinyllamas-stories-260k-q8_0.gguf"}) {
        INFO(name);
        const std::optional<std::string> path = realModelPath(name);
        if (!path) continue;
        const std::vector<std::byte> full = readAll(*path);
        const GgufFile intact = GgufFile::fromBytes(full, kName);
        const auto header_end = std::size_t(intact.dataOffset());
        std::vector<std::size_t> lengths;
        for (std::size_t n = 0; n < 64; ++n)
            lengths.push_back(n);
        for (std::size_t n = 64; n < header_end; n += 97)
            lengths.push_back(n);
        for (std::size_t n :
             {header_end - 1, header_end, header_end + 1, full.size() / 2, full.size() - 1})
            lengths.push_back(n);
        checkTruncations(full, lengths);
        checkFlips(full, header_end, 400, 7, false);
    }
}

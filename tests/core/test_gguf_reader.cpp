#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "core/model/dequantize.h"
#include "core/model/gguf_file.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/gguf_writer.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

/// Every metadata type, with edge values, in a fixed order.
std::vector<std::pair<std::string, GgufValue>> everyTypeKvs() {
    GgufValue::Array inner1 = {ggufI16(-1), ggufI16(2), ggufI16(-32768)};
    GgufValue::Array inner2 = {ggufI16(32767)};
    GgufValue::Array outer = {GgufValue::ofArray(GgufType::Int16, inner1),
                              GgufValue::ofArray(GgufType::Int16, inner2),
                              GgufValue::ofArray(GgufType::Int16, {})};
    GgufValue::Array nested_strings = {ggufStrings({"a", "b"}), ggufStrings({})};
    return {
        {"t.u8", ggufU8(200)},
        {"t.i8", ggufI8(-128)},
        {"t.u16", ggufU16(65535)},
        {"t.i16", ggufI16(-1234)},
        {"t.u32", ggufU32(4000000000u)},
        {"t.i32", ggufI32(-2000000000)},
        {"t.f32", ggufF32(0.1f)},
        {"t.bool", ggufBool(true)},
        {"t.bool0", ggufBool(false)},
        {"t.str", ggufStr("llama \xE2\x96\x81 piece")},
        {"t.empty_str", ggufStr("")},
        {"t.u64", ggufU64(std::numeric_limits<std::uint64_t>::max())},
        {"t.i64", ggufI64(std::numeric_limits<std::int64_t>::min())},
        {"t.f64", ggufF64(-1.0e300)},
        {"t.strings", ggufStrings({"<unk>", "<s>", "</s>", ""})},
        {"t.floats", ggufF32s({0.0f, -1.5f, 3.0e-8f})},
        {"t.ints", ggufI32s({-1, 0, 7})},
        {"t.u8s", GgufValue::ofArray(GgufType::Uint8, {ggufU8(1), ggufU8(255)})},
        {"t.u64s", GgufValue::ofArray(GgufType::Uint64, {ggufU64(1ull << 40)})},
        {"t.f64s", GgufValue::ofArray(GgufType::Float64, {ggufF64(0.25), ggufF64(-2.0)})},
        {"t.bools", GgufValue::ofArray(GgufType::Bool, {ggufBool(true), ggufBool(false)})},
        {"t.empty", GgufValue::ofArray(GgufType::Uint32, {})},
        {"t.nested", GgufValue::ofArray(GgufType::Array, outer)},
        {"t.nested_strings", GgufValue::ofArray(GgufType::Array, nested_strings)},
    };
}

GgufFile parse(const std::vector<std::byte>& bytes) {
    return GgufFile::fromBytes(bytes, "mem.gguf");
}

std::vector<std::byte> floatBytes(const std::vector<float>& values) {
    std::vector<std::byte> out(values.size() * 4);
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

}  // namespace

TEST_CASE("GGUF metadata of every type round-trips in v1, v2 and v3", "[gguf]") {
    const auto kvs = everyTypeKvs();
    for (std::uint32_t version : {1u, 2u, 3u}) {
        INFO("GGUF version " << version);
        GgufWriter writer(version);
        for (const auto& [key, value] : kvs)
            writer.kv(key, value);
        const GgufFile file = parse(writer.build());
        CHECK(file.version() == version);
        CHECK(file.tensors().empty());
        REQUIRE(file.metadata().size() == kvs.size());
        for (std::size_t i = 0; i < kvs.size(); ++i) {
            INFO("key " << kvs[i].first);
            CHECK(file.metadata()[i].key == kvs[i].first);  // file order kept
            CHECK(file.metadata()[i].type == kvs[i].second.type());
            const std::optional<GgufValue> read = file.findValue(kvs[i].first);
            REQUIRE(read.has_value());
            CHECK(*read == kvs[i].second);
        }
        // Typed lookups.
        CHECK(file.findUint("t.u8") == 200u);
        CHECK(file.findInt("t.i8") == -128);
        CHECK(file.findUint("t.u16") == 65535u);
        CHECK(file.findInt("t.i16") == -1234);
        CHECK(file.findUint("t.u32") == 4000000000u);
        CHECK(file.findInt("t.i32") == -2000000000);
        CHECK(file.findFloat("t.f32") == double(0.1f));
        CHECK(file.findBool("t.bool") == true);
        CHECK(file.findBool("t.bool0") == false);
        CHECK(file.findString("t.str") == "llama \xE2\x96\x81 piece");
        CHECK(file.findString("t.empty_str") == "");
        CHECK(file.findUint("t.u64") == std::numeric_limits<std::uint64_t>::max());
        CHECK(file.findInt("t.i64") == std::numeric_limits<std::int64_t>::min());
        CHECK(file.findFloat("t.f64") == -1.0e300);
        CHECK(file.findStringArray("t.strings") ==
              std::vector<std::string>{"<unk>", "<s>", "</s>", ""});
        CHECK(file.findFloatArray("t.floats") == std::vector<float>{0.0f, -1.5f, 3.0e-8f});
        CHECK(file.findFloatArray("t.f64s") == std::vector<float>{0.25f, -2.0f});
        CHECK(file.findIntArray("t.ints") == std::vector<std::int64_t>{-1, 0, 7});
        CHECK(file.findIntArray("t.u8s") == std::vector<std::int64_t>{1, 255});
        CHECK(file.findIntArray("t.empty") == std::vector<std::int64_t>{});
        CHECK(file.findInt("t.u8") == 200);  // widening between integer types is fine
        CHECK_THROWS_WITH(file.findUint("t.i16"), Catch::Contains("is negative"));
        CHECK_FALSE(file.findString("no.such.key").has_value());
        CHECK_FALSE(file.findStringArray("no.such.key").has_value());
        // Nested arrays come back whole.
        const GgufValue nested = *file.findValue("t.nested");
        REQUIRE(nested.elementType() == GgufType::Array);
        REQUIRE(nested.asArray().size() == 3);
        CHECK(nested.asArray()[0].asArray()[2].asSigned() == -32768);
        CHECK(nested.asArray()[1].asArray()[0].asSigned() == 32767);
        CHECK(nested.asArray()[2].asArray().empty());
        // Entries describe arrays without decoding them.
        const GgufMetadataEntry* strings = file.findEntry("t.strings");
        REQUIRE(strings != nullptr);
        CHECK(strings->element_type == GgufType::String);
        CHECK(strings->count == 4);
    }
}

TEST_CASE("GGUF metadata summaries are short and printable", "[gguf]") {
    GgufWriter writer(3);
    for (const auto& [key, value] : everyTypeKvs())
        writer.kv(key, value);
    writer.kv("t.ctrl", ggufStr("a\nb\"c"));
    writer.kv("t.long", ggufStr(std::string(200, 'x')));
    const GgufFile file = parse(writer.build());
    auto summary = [&](const char* key) { return file.summary(*file.findEntry(key)); };
    CHECK(summary("t.u8") == "200");
    CHECK(summary("t.i64") == "-9223372036854775808");
    CHECK(summary("t.f32") == "0.100000001");
    CHECK(summary("t.bool") == "true");
    CHECK(summary("t.str") == "\"llama \xE2\x96\x81 piece\"");
    CHECK(summary("t.strings") == "[4 x string]");
    CHECK(summary("t.nested") == "[3 x array]");
    CHECK(summary("t.empty") == "[0 x uint32]");
    CHECK(summary("t.ctrl") == "\"a\\x0Ab\\\"c\"");
    CHECK(summary("t.long") == "\"" + std::string(60, 'x') + "\"...");
    CHECK(ggufTypeName(file.findEntry("t.f64")->type) == "float64");
}

TEST_CASE("GGUF typed lookups name the key, the expected and the actual type", "[gguf]") {
    GgufWriter writer(3);
    writer.kv("a.count", ggufU32(5))
        .kv("a.name", ggufStr("x"))
        .kv("a.negative", ggufI32(-3))
        .kv("a.huge", ggufU64(std::numeric_limits<std::uint64_t>::max()))
        .kv("a.ints", ggufI32s({1, 2}));
    const std::vector<std::byte> bytes = writer.build();
    const GgufFile file = parse(bytes);
    CHECK_THROWS_MATCHES(
        file.findString("a.count"), InputError,
        Catch::Matchers::Message("GGUF mem.gguf: at offset " +
                                 std::to_string(file.findEntry("a.count")->offset) +
                                 ": has type uint32, expected string (key 'a.count')"));
    CHECK_THROWS_WITH(file.findUint("a.name"), Catch::Contains("key 'a.name'") &&
                                                   Catch::Contains("has type string") &&
                                                   Catch::Contains("expected an unsigned integer"));
    CHECK_THROWS_WITH(file.findFloat("a.count"), Catch::Contains("expected float32 or float64"));
    CHECK_THROWS_WITH(file.findBool("a.count"), Catch::Contains("expected bool"));
    CHECK_THROWS_WITH(file.findUint("a.negative"),
                      Catch::Contains("-3 is negative") && Catch::Contains("key 'a.negative'"));
    CHECK(file.findInt("a.negative") == -3);
    CHECK_THROWS_WITH(file.findInt("a.huge"), Catch::Contains("exceeds 2^63 - 1"));
    CHECK_THROWS_WITH(file.findStringArray("a.ints"),
                      Catch::Contains("has type array of int32, expected array of string"));
    CHECK_THROWS_WITH(file.findFloatArray("a.name"), Catch::Contains("expected array of float"));
    CHECK_THROWS_WITH(file.findIntArray("a.count"), Catch::Contains("expected array of integers"));
    CHECK_THROWS_AS(file.findString("a.count"), InputError);
}

TEST_CASE("GGUF tensor table: dims, offsets, sizes, and flat or matrix dequantization", "[gguf]") {
    const std::vector<float> six = {1, 2, 3, 4, 5, 6};
    std::vector<std::byte> f16;
    for (std::uint16_t h : {0x3C00, 0xC000, 0x3800, 0x0000}) {
        f16.push_back(std::byte(h & 0xff));
        f16.push_back(std::byte(h >> 8));
    }
    for (std::uint32_t version : {1u, 2u, 3u}) {
        INFO("GGUF version " << version);
        GgufWriter writer(version);
        writer.kv("general.architecture", ggufStr("llama"))
            .tensorF32("m", {3, 2}, six)  // ne[0] = 3 (row length), ne[1] = 2 rows
            .tensor("h", GgmlType::F16, {4}, f16)
            .tensor("k", GgmlType::IQ2_XXS, {256}, std::vector<std::byte>(66))
            .tensor("cube", GgmlType::F32, {1, 1, 2}, floatBytes({7, 8}));
        const GgufFile file = parse(writer.build());
        REQUIRE(file.tensors().size() == 4);
        const GgufTensorInfo& m = file.tensors()[0];
        CHECK(m.name == "m");
        CHECK(m.type == GgmlType::F32);
        CHECK(m.dims == std::vector<std::int64_t>{3, 2});
        CHECK(m.n_elements == 6);
        CHECK(m.byte_size == 24);
        CHECK(m.offset == 0);
        CHECK(m.file_offset == file.dataOffset());
        CHECK(file.dataOffset() % 32 == 0);
        const GgufTensorInfo& h = *file.findTensor("h");
        CHECK(h.offset == 32);
        CHECK(h.byte_size == 8);
        const GgufTensorInfo& k = *file.findTensor("k");
        CHECK(k.type == GgmlType::IQ2_XXS);
        CHECK(k.byte_size == 66);
        CHECK(k.offset == 64);
        CHECK(file.findTensor("nope") == nullptr);

        CHECK(file.dequantizeTensor("m") == six);
        const Matrix mm = file.dequantizeMatrix("m");
        REQUIRE(mm.rows() == 2);
        REQUIRE(mm.cols() == 3);
        CHECK(mm(0, 2) == 3.0f);  // row 0 = elements 0..2
        CHECK(mm(1, 0) == 4.0f);  // row 1 = elements 3..5
        CHECK(file.dequantizeTensor("h") == std::vector<float>{1.0f, -2.0f, 0.5f, 0.0f});
        const Matrix hv = file.dequantizeMatrix("h");
        CHECK((hv.rows() == 1 && hv.cols() == 4));
        CHECK(file.dequantizeTensor("cube") == std::vector<float>{7, 8});
        CHECK_THROWS_WITH(file.dequantizeMatrix("cube"), Catch::Contains("has 3 dims"));
        CHECK_THROWS_WITH(file.dequantizeTensor("nope"), Catch::Contains("no tensor named 'nope'"));
        // A known type we cannot decode is listed, but refuses with a clear message.
        CHECK_THROWS_MATCHES(
            file.dequantizeTensor("k"), InputError,
            Catch::Matchers::Message("GGUF mem.gguf: at offset " + std::to_string(k.file_offset) +
                                     ": cannot dequantize tensor type IQ2_XXS (supported: " +
                                     dequantizableTypeNames() + ") (tensor 'k')"));
        CHECK_THROWS_AS(file.dequantizeMatrix("k"), InputError);
        CHECK(file.tensorBytes(k).size() == 66);
    }
}

TEST_CASE("GGUF general.alignment other than 32 places the data section and tensors", "[gguf]") {
    for (std::uint32_t alignment : {1u, 8u, 64u, 256u}) {
        INFO("alignment " << alignment);
        GgufWriter writer(2);
        writer.kv("general.alignment", ggufU32(alignment))
            .tensorF32("a", {3}, {1, 2, 3})
            .tensorF32("b", {2}, {4, 5});
        const GgufFile file = parse(writer.build());
        CHECK(file.alignment() == alignment);
        CHECK(file.dataOffset() % alignment == 0);
        CHECK(file.findTensor("b")->offset == (12 + alignment - 1) / alignment * alignment);
        CHECK(file.dequantizeTensor("a") == std::vector<float>{1, 2, 3});
        CHECK(file.dequantizeTensor("b") == std::vector<float>{4, 5});
    }
    GgufWriter no_key(3);
    no_key.tensorF32("a", {1}, {1});
    CHECK(parse(no_key.build()).alignment() == 32);
}

TEST_CASE("MappedFile and GgufFile::open name the path and the system's reason", "[gguf]") {
    GgufTempDir dir;
    const std::string missing = dir.file("missing.gguf");
    CHECK_THROWS_MATCHES(
        MappedFile::open(missing), InputError,
        Catch::Matchers::Message("cannot open '" + missing + "': No such file or directory"));
    CHECK_THROWS_WITH(GgufFile::open(missing), Catch::Contains("No such file or directory"));
    CHECK_THROWS_WITH(MappedFile::open(dir.file("")), Catch::Contains("not a regular file"));

    const std::string empty = dir.file("empty.gguf");
    writeBytes(empty, {});
    CHECK(MappedFile::open(empty).size() == 0);
    CHECK_THROWS_WITH(GgufFile::open(empty),
                      Catch::StartsWith("GGUF " + empty + ": at offset 0: not a GGUF file"));

    GgufWriter writer(3);
    writer.kv("general.name", ggufStr("on disk")).tensorF32("t", {2}, {0.5f, -0.5f});
    const std::string path = dir.file("ok.gguf");
    writeBytes(path, writer.build());
    MappedFile mapped = MappedFile::open(path);
    MappedFile moved = std::move(mapped);
    CHECK(moved.size() > 0);
    CHECK(mapped.size() == 0);
    const GgufFile file = GgufFile::open(path);
    CHECK(file.path() == path);
    CHECK(file.findString("general.name") == "on disk");
    CHECK(file.dequantizeTensor("t") == std::vector<float>{0.5f, -0.5f});
    const GgufFile copy = file;  // copies share the mapping
    CHECK(copy.dequantizeTensor("t") == std::vector<float>{0.5f, -0.5f});
}

// --- the real files (../shared/models) -------------------------------------------------------

TEST_CASE("stories260K.gguf header: v3, 48 F32 tensors, llama metadata", "[gguf][real-model]") {
    const std::optional<std::string> path = realModelPath("stories260K.gguf");
    if (!path) return;
    const GgufFile file = GgufFile::open(*path);
    CHECK(file.version() == 3);
    CHECK(file.tensors().size() == 48);
    CHECK(file.metadata().size() == 19);
    CHECK(file.alignment() == 32);
    CHECK(file.dataOffset() == 14176);
    for (const GgufTensorInfo& t : file.tensors())
        CHECK(t.type == GgmlType::F32);
    CHECK(file.findString("general.architecture") == "llama");
    CHECK(file.findString("tokenizer.ggml.model") == "llama");
    CHECK(file.findUint("llama.block_count") == 5u);
    CHECK(file.findUint("llama.embedding_length") == 64u);
    CHECK(file.findUint("llama.feed_forward_length") == 172u);
    CHECK(file.findUint("llama.attention.head_count") == 8u);
    CHECK(file.findUint("llama.attention.head_count_kv") == 4u);
    CHECK(file.findUint("llama.rope.dimension_count") == 8u);
    CHECK(file.findUint("llama.context_length") == 2048u);
    CHECK(file.findFloat("llama.attention.layer_norm_rms_epsilon") == Approx(1e-5));
    const std::vector<std::string> tokens = *file.findStringArray("tokenizer.ggml.tokens");
    REQUIRE(tokens.size() == 512);
    CHECK(tokens[0] == "<unk>");
    CHECK(tokens[1] == "<s>");
    CHECK(tokens[2] == "</s>");
    CHECK(tokens[3] == "<0x00>");
    CHECK(tokens[258] == "<0xFF>");
    CHECK(file.findFloatArray("tokenizer.ggml.scores")->size() == 512);
    const std::vector<std::int64_t> types = *file.findIntArray("tokenizer.ggml.token_type");
    CHECK(types[0] == 2);    // unknown
    CHECK(types[1] == 3);    // control
    CHECK(types[100] == 6);  // byte
    CHECK(file.summary(*file.findEntry("tokenizer.ggml.tokens")) == "[512 x string]");
    const GgufTensorInfo& embd = *file.findTensor("token_embd.weight");
    CHECK(embd.dims == std::vector<std::int64_t>{64, 512});
    CHECK(embd.byte_size == 64 * 512 * 4);
    CHECK(file.findTensor("blk.4.ffn_norm.weight")->file_offset + 256 == file.fileSize());
}

TEST_CASE("tinyllamas-stories-260k-q8_0.gguf header: v2, 37 Q8_0 + 11 F32 tensors",
          "[gguf][real-model]") {
    const std::optional<std::string> path = realModelPath("tinyllamas-stories-260k-q8_0.gguf");
    if (!path) return;
    const GgufFile file = GgufFile::open(*path);
    CHECK(file.version() == 2);
    CHECK(file.tensors().size() == 48);
    int n_q8 = 0, n_f32 = 0;
    for (const GgufTensorInfo& t : file.tensors()) {
        n_q8 += t.type == GgmlType::Q8_0;
        n_f32 += t.type == GgmlType::F32;
    }
    CHECK(n_q8 == 37);
    CHECK(n_f32 == 11);
    CHECK(file.findString("general.name") == "tinyllamas-stories-260k");
    CHECK(file.findUint("llama.context_length") == 512u);
    CHECK(file.findStringArray("tokenizer.ggml.tokens")->at(1) == "<s>");
    const GgufTensorInfo& down = *file.findTensor("blk.0.ffn_down.weight");
    CHECK(down.type == GgmlType::Q8_0);
    CHECK(down.dims == std::vector<std::int64_t>{172, 64});  // rows of 172: not whole blocks
    CHECK(down.byte_size == 172 * 64 / 32 * 34);
    const GgufTensorInfo& output = *file.findTensor("output.weight");
    CHECK(output.file_offset + output.byte_size == file.fileSize());
}

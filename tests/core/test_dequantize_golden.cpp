// Every weight type KVScope decodes, against ggml's own dequantization of the same bytes:
// tests/data/ggml/<type>.raw holds blocks (ggml-quantized Gaussian rows with outliers, then random
// bytes with extreme fp16 scales), <type>.f32 what ggml's to_float made of them. Written by
// scripts/golden/make_dequant_goldens.py with llama.cpp b1-0ad4a86.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/model/dequantize.h"
#include "core/model/ggml_type.h"

using namespace kvscope;

namespace {

std::vector<char> readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string lower(std::string s) {
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

TEST_CASE("dequantize is bit-identical to ggml for every supported weight type",
          "[gguf][dequantize][golden]") {
    const GgmlType type =
        GENERATE(GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1,
                 GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::IQ4_NL, GgmlType::Q2_K,
                 GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_XS);
    const std::string name = ggmlTypeName(type);
    INFO("type " << name);
    const std::string base = std::string(KVSCOPE_TEST_DATA_DIR) + "/ggml/" + lower(name);
    const std::vector<char> raw = readAll(base + ".raw");
    const std::vector<char> want_bytes = readAll(base + ".f32");  // [n] little-endian float
    REQUIRE(want_bytes.size() % 4 == 0);
    const std::size_t n = want_bytes.size() / 4;
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    REQUIRE(raw.size() == n / std::size_t(traits.block_size) * std::size_t(traits.type_size));
    REQUIRE(n >= std::size_t(traits.block_size) * 8);

    std::vector<float> got(n);
    dequantize(type, std::span(reinterpret_cast<const std::byte*>(raw.data()), raw.size()), got);
    std::size_t mismatches = 0, first = n;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t a, b;
        std::memcpy(&a, &got[i], 4);
        std::memcpy(&b, want_bytes.data() + 4 * i, 4);
        if (a != b) {
            if (first == n) first = i;
            ++mismatches;
        }
    }
    INFO("first mismatch at value " << first << " (block " << first / traits.block_size << ")");
    CHECK(mismatches == 0);
}

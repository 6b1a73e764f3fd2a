#pragma once
// The small quantized llama models of scripts/golden/make_quant_model_goldens.py, rebuilt byte for
// byte: d_model 256, 2 layers, 4 heads of 64 (2 KV heads), d_ff 512, the 259-token byte
// vocabulary, untied output; every matrix is random blocks (splitmix64) of one weight type with
// fixed fp16 scales, the norms F32 ones. llama.cpp's logits on them are in tests/data/ggml.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "arch_model_file.h"
#include "core/model/dequantize.h"
#include "core/model/ggml_type.h"
#include "gguf_writer.h"

namespace kvscope::test {

struct QuantTestShape {
    static constexpr std::int64_t d = 256, layers = 2, heads = 4, kv_heads = 2, d_ff = 512,
                                  vocab = 259, context = 64;
};

class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// n bytes: whole little-endian u64s, the last one cut.
    std::vector<std::byte> bytes(std::size_t n) {
        std::vector<std::byte> out((n + 7) / 8 * 8);
        for (std::size_t i = 0; i < out.size(); i += 8) {
            const std::uint64_t v = next();
            std::memcpy(out.data() + i, &v, 8);
        }
        out.resize(n);
        return out;
    }

private:
    std::uint64_t m_state;
};

/// The float's fp16 bits, round to nearest even (as Python's struct "e"); normal range only.
inline std::uint16_t fp16Bits(float x) {
    for (std::uint32_t h = 0; h < 0x7c00; ++h) {  // nearest by search: fine for a test helper
        const float lo = fp16ToFp32(std::uint16_t(h)), hi = fp16ToFp32(std::uint16_t(h + 1));
        if (x >= lo && x <= hi) {
            if (x - lo < hi - x) return std::uint16_t(h);
            if (hi - x < x - lo) return std::uint16_t(h + 1);
            return std::uint16_t((h & 1) ? h + 1 : h);
        }
    }
    return 0x7bff;
}

/// (name, rows, cols) of every quantized matrix, in generation order.
inline std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> quantTestMatrices() {
    using S = QuantTestShape;
    std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> out = {
        {"token_embd.weight", S::vocab, S::d}};
    const std::int64_t kv = S::kv_heads * (S::d / S::heads);
    for (int i = 0; i < S::layers; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        out.emplace_back(p + "attn_q.weight", S::d, S::d);
        out.emplace_back(p + "attn_k.weight", kv, S::d);
        out.emplace_back(p + "attn_v.weight", kv, S::d);
        out.emplace_back(p + "attn_output.weight", S::d, S::d);
        out.emplace_back(p + "ffn_gate.weight", S::d_ff, S::d);
        out.emplace_back(p + "ffn_up.weight", S::d_ff, S::d);
        out.emplace_back(p + "ffn_down.weight", S::d, S::d_ff);
    }
    out.emplace_back("output.weight", S::vocab, S::d);
    return out;
}

/// The GGUF image of the test model whose matrices are `type` (Q8_0 or Q4_K).
inline std::vector<std::byte> quantTestModelBytes(GgmlType type) {
    using S = QuantTestShape;
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    SplitMix64 rng(0x4B56 + std::uint64_t(type));
    GgufWriter w;
    w.kv("general.architecture", ggufStr("llama"))
        .kv("general.name", ggufStr("quant-test"))
        .kv("llama.block_count", ggufU32(S::layers))
        .kv("llama.context_length", ggufU32(S::context))
        .kv("llama.embedding_length", ggufU32(S::d))
        .kv("llama.feed_forward_length", ggufU32(S::d_ff))
        .kv("llama.attention.head_count", ggufU32(S::heads))
        .kv("llama.attention.head_count_kv", ggufU32(S::kv_heads))
        .kv("llama.rope.dimension_count", ggufU32(S::d / S::heads))
        .kv("llama.rope.freq_base", ggufF32(10000.0f))
        .kv("llama.attention.layer_norm_rms_epsilon", ggufF32(1e-5f));
    for (const auto& [key, value] : byteVocabKvs())
        w.kv(key, value);
    for (const auto& [name, rows, cols] : quantTestMatrices()) {
        const std::int64_t n_blocks = rows * cols / traits.block_size;
        std::vector<std::byte> raw = rng.bytes(std::size_t(n_blocks * traits.type_size));
        const float d = type == GgmlType::Q8_0 ? float(1.0 / (std::sqrt(double(cols)) * 74.0))
                                               : float(1.0 / (std::sqrt(double(cols)) * 323.0));
        const std::uint16_t dh = fp16Bits(d), mh = fp16Bits(float(7.5 * double(d)));
        for (std::int64_t b = 0; b < n_blocks; ++b) {
            std::byte* block = raw.data() + b * traits.type_size;
            std::memcpy(block, &dh, 2);
            if (type == GgmlType::Q4_K) std::memcpy(block + 2, &mh, 2);
        }
        w.tensor(name, type, {std::uint64_t(cols), std::uint64_t(rows)}, std::move(raw));
    }
    const std::vector<float> ones(S::d, 1.0f);
    for (int i = 0; i < S::layers; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        w.tensorF32(p + "attn_norm.weight", {S::d}, ones);
        w.tensorF32(p + "ffn_norm.weight", {S::d}, ones);
    }
    w.tensorF32("output_norm.weight", {S::d}, ones);
    return w.build();
}

}  // namespace kvscope::test

// Every CUDA kernel against its CPU twin on a real device (skipped without one). Tolerances are
// |gpu - ref| <= atol + rtol * |ref| per value, each justified where it is stated.
#include "cuda_test_main.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/cache/kv_codec.h"
#include "core/cache/paged_kv_cache.h"
#include "core/engine/cpu_attention.h"
#include "core/engine/cpu_math.h"
#include "core/engine/cpu_rope.h"
#include "kernels/device_buffer.cuh"
#include "kernels/kernel_launch.cuh"
#include "random_values.h"

using namespace kvscope;
using cuda::DeviceBuffer;
using test::randomValues;

namespace {

constexpr float kUnit = 5.9604645e-08f;  // 2^-24, a float's unit roundoff

template <typename T>
std::vector<T> download(const DeviceBuffer<T>& d, std::int64_t n) {
    std::vector<T> host(static_cast<std::size_t>(n));
    d.download(host.data(), n);
    KVSCOPE_CUDA_CHECK(cudaDeviceSynchronize());
    return host;
}

Matrix toMatrix(const std::vector<float>& v, std::int64_t rows, std::int64_t cols) {
    Matrix m(rows, cols);
    std::memcpy(m.data(), v.data(), v.size() * sizeof(float));
    return m;
}

}  // namespace

TEST_CASE("linear on the device is cpu::linear for fp32, fp16 and bf16 weights", "[gpu]") {
    const std::int64_t n = 5, in = 288, out = 97;
    const std::vector<float> x = randomValues(std::size_t(n * in), 1);
    std::vector<float> w = randomValues(std::size_t(out * in), 2);
    for (cuda::WeightType type :
         {cuda::WeightType::F32, cuda::WeightType::F16, cuda::WeightType::BF16}) {
        // The stored weights and their exact fp32 values (what the CPU multiplies by).
        std::vector<std::uint16_t> bits(w.size());
        std::vector<float> exact = w;
        for (std::size_t i = 0; i < w.size(); ++i) {
            if (type == cuda::WeightType::F16) {
                bits[i] = hd::fp32ToFp16(w[i]);
                exact[i] = hd::fp16ToFp32(bits[i]);
            } else if (type == cuda::WeightType::BF16) {
                bits[i] = hd::fp32ToBf16(w[i]);
                exact[i] = hd::bf16ToFp32(bits[i]);
            }
        }
        DeviceBuffer<float> dx, dy, dw32;
        DeviceBuffer<std::uint16_t> dw16;
        dx.upload(x.data(), n * in);
        dy.resize(n * out);
        cuda::DeviceMatrix m{nullptr, type, out, in};
        if (type == cuda::WeightType::F32) {
            dw32.upload(w.data(), out * in);
            m.data = dw32.get();
        } else {
            dw16.upload(bits.data(), out * in);
            m.data = dw16.get();
        }
        cuda::linear(dx.get(), n, m, dy.get(), nullptr);
        const std::vector<float> got = download(dy, n * out);
        Matrix ref;
        cpu::linear(toMatrix(x, n, in), WeightMatrix(toMatrix(exact, out, in)), ref,
                    cpu::MatmulOptions{.n_threads = 1});
        int identical = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            for (std::int64_t o = 0; o < out; ++o) {
                // Same products, same order of additions (hd::dotLane + the combine tree); the
                // one freedom is whether a multiply-add is fused, one rounding per term at most:
                // |error| <= in * 2^-24 * sum |x w| (the classical dot-product bound).
                double bound = 0;
                for (std::int64_t j = 0; j < in; ++j)
                    bound += std::fabs(double(x[std::size_t(i * in + j)]) *
                                       exact[std::size_t(o * in + j)]);
                bound *= double(in) * kUnit;
                const float g = got[std::size_t(i * out + o)], r = ref(i, o);
                identical += g == r;
                CHECK(std::fabs(double(g) - r) <= bound);
            }
        }
        WARN("linear, weight type " << int(type) << ": " << identical << " of " << n * out
                                    << " values bit-identical to the CPU");
    }
}

TEST_CASE("RMSNorm, RoPE and the gated activations on the device match the CPU", "[gpu]") {
    const std::int64_t n = 4, d = 288;
    const std::vector<float> x = randomValues(std::size_t(n * d), 3, 2.0f);
    const std::vector<float> weight = randomValues(std::size_t(d), 4);
    DeviceBuffer<float> dx, dw, dout;
    dx.upload(x.data(), n * d);
    dw.upload(weight.data(), d);
    dout.resize(n * d);
    cuda::rmsNorm(dx.get(), dw.get(), n, d, 1e-5f, dout.get(), nullptr);
    const std::vector<float> got = download(dout, n * d);
    Vector w(d);
    std::memcpy(w.data(), weight.data(), weight.size() * sizeof(float));
    Matrix ref;
    cpu::rmsNorm(toMatrix(x, n, d), w, 1e-5f, ref);
    for (std::int64_t i = 0; i < n * d; ++i) {
        // The sum of squares follows cpu::dot's order (fused or not: d roundings of 2^-24
        // relative at most), sqrt and the divide are correctly rounded on both sides, then two
        // multiplies: rtol = (d + 4) * 2^-24.
        const float r = ref.data()[i];
        CHECK(std::fabs(got[std::size_t(i)] - r) <= float(d + 4) * kUnit * std::fabs(r));
    }

    // RoPE, both pair styles, with the CPU's own cos/sin table.
    const std::int64_t heads = 3, head_dim = 64;
    const std::vector<float> qv = randomValues(std::size_t(n * heads * head_dim), 5);
    ModelConfig rope_config;
    rope_config.head_dim = head_dim;
    rope_config.rope_theta = 10000.0f;
    const cpu::RopeSpec spec = cpu::ropeSpec(rope_config, 0, Vector());  // adjacent pairs
    const cpu::RopeTable table = cpu::ropeTable(spec, 100, n);
    DeviceBuffer<float> dq, dcos, dsin;
    dcos.upload(table.cos.data(), table.cos.size());
    dsin.upload(table.sin.data(), table.sin.size());
    for (hd::RopePairs style : {hd::RopePairs::Adjacent, hd::RopePairs::Neox}) {
        dq.upload(qv.data(), n * heads * head_dim);
        cuda::rope(dq.get(), n, heads, head_dim, head_dim, style, dcos.get(), dsin.get(), nullptr);
        const std::vector<float> rot = download(dq, n * heads * head_dim);
        std::vector<float> want = qv;
        for (std::int64_t t = 0; t < n; ++t)
            for (std::int64_t h = 0; h < heads; ++h)
                hd::ropeHead(want.data() + (t * heads + h) * head_dim,
                             table.cos.data() + t * head_dim / 2,
                             table.sin.data() + t * head_dim / 2, head_dim, style);
        if (style == hd::RopePairs::Adjacent) {
            Matrix cpu_rot = toMatrix(qv, n, heads * head_dim);
            cpu::applyRope(cpu_rot, table, spec);
            for (std::int64_t i = 0; i < cpu_rot.size(); ++i)
                REQUIRE(want[std::size_t(i)] == cpu_rot.data()[i]);  // the twin is the CPU's
        }
        for (std::size_t i = 0; i < want.size(); ++i) {
            // a c - b s: two products and a difference, fused or not: 3 roundings of the
            // larger product at most.
            CHECK(std::fabs(rot[i] - want[i]) <= 3 * kUnit * 4.0f * (std::fabs(want[i]) + 1.0f));
        }
    }

    // SwiGLU and GeGLU: expf / tanhf differ between CUDA (2 ulp) and glibc (1 ulp); the rest is
    // 3 correctly rounded operations: rtol = 16 * 2^-24, atol for results near 0. GeGLU rounds
    // GELU to fp16 (ggml's table), so a tanhf ulp can move it one fp16 step: rtol 2^-10 there.
    const std::vector<float> gate = randomValues(1000, 6, 3.0f), up = randomValues(1000, 7);
    DeviceBuffer<float> dg, du;
    du.upload(up.data(), 1000);
    for (bool gelu : {false, true}) {
        dg.upload(gate.data(), 1000);
        cuda::gatedActivation(dg.get(), du.get(), 1000, gelu, nullptr);
        const std::vector<float> g = download(dg, 1000);
        for (std::size_t i = 0; i < g.size(); ++i) {
            const float r = gelu ? hd::geGlu(gate[i], up[i]) : hd::swiGlu(gate[i], up[i]);
            const float rtol = gelu ? 1.0f / 1024.0f : 16 * kUnit;
            CHECK(std::fabs(g[i] - r) <= 1e-7f + rtol * std::fabs(r));
        }
    }
}

namespace {

const KvDtype kCodecs[] = {KvDtype::F32,      KvDtype::F16,  KvDtype::BF16, KvDtype::FP8_E4M3,
                           KvDtype::FP8_E5M2, KvDtype::INT8, KvDtype::INT4, KvDtype::Q8_0};

}  // namespace

TEST_CASE("the append kernel writes the CPU codec's bytes and attention reads them as the CPU",
          "[gpu]") {
    const std::int64_t n_kv = 2, n_heads = 8, hd = 64, block = 16, n_blocks = 256;
    const std::int64_t kv_dim = n_kv * hd;
    for (KvDtype dtype : kCodecs) {
        INFO("codec " << toString(dtype));
        // A paged cache whose third sequence gets blocks out of order.
        PagedKvCache cache(1, n_kv, hd, block, n_blocks,
                           KvCacheSpec{.k_dtype = dtype, .v_dtype = dtype});
        const SeqId a = cache.addSequence();
        const std::vector<float> ka = randomValues(std::size_t(40 * kv_dim), 8);
        cache.appendRows(a, 0, 0, 40, ka.data(), ka.data());
        const SeqId b = cache.addSequence();
        cache.appendRows(b, 0, 0, 100, randomValues(std::size_t(100 * kv_dim), 9).data(),
                         randomValues(std::size_t(100 * kv_dim), 10).data());
        cache.freeSequence(a);
        const SeqId c = cache.addSequence();
        cache.setCurrent(c);
        const std::int64_t n_keys = 3000;
        const std::vector<float> k = randomValues(std::size_t(n_keys * kv_dim), 11);
        const std::vector<float> v = randomValues(std::size_t(n_keys * kv_dim), 12);
        cache.appendRows(c, 0, 0, n_keys, k.data(), v.data());
        std::vector<int> ids;
        for (BlockId id : cache.blockTable(c).blocks())
            ids.push_back(int(id));

        const cuda::KvLayout layout = cuda::makeKvLayout(dtype, 1, n_kv, hd, block);
        DeviceBuffer<std::uint8_t> pool(n_blocks * layout.blockBytes());
        DeviceBuffer<int> table;
        table.upload(ids.data(), std::int64_t(ids.size()));
        DeviceBuffer<float> dk, dv;
        dk.upload(k.data(), n_keys * kv_dim);
        dv.upload(v.data(), n_keys * kv_dim);
        cuda::appendKv(layout, pool.get(), 0, table.get(), 0, n_keys, dk.get(), dv.get(), nullptr);
        const std::vector<std::uint8_t> bytes = download(pool, pool.size());

        // Bytes: every row the CPU codec's encoding of the same floats.
        const auto codec = makeKvCodec(dtype);
        for (std::int64_t j = 0; j < n_keys; j += 7) {
            for (std::int64_t h = 0; h < n_kv; ++h) {
                for (int role = 0; role < 2; ++role) {
                    const std::vector<float>& src = role == 0 ? k : v;
                    const std::vector<std::byte> want = codec->encoded(
                        std::span(src.data() + j * kv_dim + h * hd, std::size_t(hd)));
                    const std::int64_t at =
                        layout.offset(ids[std::size_t(j / block)], 0, role, j % block, h);
                    REQUIRE(std::memcmp(bytes.data() + at, want.data(), want.size()) == 0);
                }
            }
        }

        // Attention: 5 queries at the end of the sequence (a prefill's causal rows) against
        // cpu::attendRow over the CPU cache's decoded rows.
        const std::int64_t n_q = 5;
        const std::vector<float> q = randomValues(std::size_t(n_q * n_heads * hd), 13);
        std::vector<int> visible, seq(static_cast<std::size_t>(n_q), 0);
        for (std::int64_t i = 0; i < n_q; ++i)
            visible.push_back(int(n_keys - n_q + i + 1));
        DeviceBuffer<float> dq, dout, probs, pacc, pml, fml;
        DeviceBuffer<int> dvis, dseq;
        dq.upload(q.data(), n_q * n_heads * hd);
        dvis.upload(visible.data(), n_q);
        dseq.upload(seq.data(), n_q);
        dout.resize(n_q * n_heads * hd);
        probs.resize(n_heads * n_q * n_keys);
        probs.zero(n_heads * n_q * n_keys);
        cuda::AttentionArgs args;
        args.layout = layout;
        args.pool = pool.get();
        args.tables = table.get();
        args.q = dq.get();
        args.n_queries = n_q;
        args.n_heads = n_heads;
        args.seq_of_query = dseq.get();
        args.visible = dvis.get();
        args.max_visible = n_keys;
        args.scale = 1.0f / 8.0f;
        args.out = dout.get();
        args.probs = probs.get();
        args.scores_stride = n_keys;
        const cuda::AttentionPlan plan = cuda::planAttention(args, 132);
        REQUIRE(plan.n_splits > 1);  // split-K is what is tested
        pacc.resize(plan.accFloats(n_q, n_heads, hd));
        pml.resize(plan.mlFloats(n_q, n_heads));
        fml.resize(2 * n_q * n_heads);
        cuda::attention(args, plan, {pacc.get(), pml.get(), fml.get()}, nullptr);
        const std::vector<float> out = download(dout, n_q * n_heads * hd);
        const std::vector<float> p = download(probs, n_heads * n_q * n_keys);

        std::vector<KvRun> runs;
        cache.collectRuns(c, 0, runs);
        std::vector<float> ref(static_cast<std::size_t>(hd)),
            ref_p(static_cast<std::size_t>(n_keys));
        for (std::int64_t i = 0; i < n_q; ++i) {
            for (std::int64_t h = 0; h < n_heads; ++h) {
                cpu::attendRow(q.data() + (i * n_heads + h) * hd, runs, (h / (n_heads / n_kv)) * hd,
                               kv_dim, cpu::AttendSpec{hd, 1.0f / 8.0f, 0.0f}, 0,
                               visible[std::size_t(i)], ref_p.data(), ref.data());
                // Scores: 64 products summed in another order (warp tree vs cpu::dot's), each
                // off by <= 64 * 2^-24 * sum |q k| / 8 ~ 1e-5 for N(0,1) data; a weight moves by
                // that relative amount, the output (a weighted mean of O(1) values) by as much.
                // rtol 1e-4 and atol 2e-5 leave room for the exp differences (2 ulp).
                for (std::int64_t dd = 0; dd < hd; ++dd) {
                    const float g = out[std::size_t((i * n_heads + h) * hd + dd)];
                    CHECK(std::fabs(g - ref[std::size_t(dd)]) <=
                          2e-5f + 1e-4f * std::fabs(ref[std::size_t(dd)]));
                }
                for (std::int64_t j = 0; j < visible[std::size_t(i)]; j += 13) {
                    const float g = p[std::size_t((h * n_q + i) * n_keys + j)];
                    CHECK(std::fabs(g - ref_p[std::size_t(j)]) <=
                          1e-7f + 1e-4f * ref_p[std::size_t(j)]);
                }
                // Weights right of the diagonal stay 0 (the heatmap's upper triangle).
                for (std::int64_t j = visible[std::size_t(i)]; j < n_keys; ++j)
                    REQUIRE(p[std::size_t((h * n_q + i) * n_keys + j)] == 0.0f);
            }
        }
    }
}

// The CPU backend's batched float kernels against what they batch: dots() of many rows against
// dot() row by row (the same bits), and attendRow() over split runs of keys with head sizes that
// take the register path (multiples of 8) and the element path (the rest) against attention
// written out here in double.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/engine/cpu_attention.h"
#include "core/engine/cpu_math.h"

using namespace kvscope;

TEST_CASE("dots() of many rows gives every row dot()'s bits", "[attention]") {
    std::mt19937 rng(11);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    for (std::int64_t n : {1, 7, 8, 13, 32, 48, 64, 72, 128, 200}) {
        const std::int64_t stride = n + 5, n_rows = 19;  // two passes of eight and a tail
        std::vector<float> q(static_cast<std::size_t>(n)),
            rows(static_cast<std::size_t>(n_rows * stride));
        for (float& v : q)
            v = gauss(rng);
        for (float& v : rows)
            v = gauss(rng) * 100.0f;
        std::vector<float> out(static_cast<std::size_t>(n_rows), -1.0f);
        cpu::dots(q.data(), rows.data(), stride, n_rows, n, out.data());
        for (std::int64_t r = 0; r < n_rows; ++r) {
            INFO("n " << n << ", row " << r);
            const float want = cpu::dot(q.data(), rows.data() + r * stride, n);
            CHECK(std::memcmp(&out[std::size_t(r)], &want, 4) == 0);
        }
    }
}

TEST_CASE("attendRow over split runs equals attention in double", "[attention]") {
    std::mt19937 rng(5);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    for (std::int64_t hd : {4, 12, 64, 72, 136}) {
        const std::int64_t n_heads = 2, stride = n_heads * hd, n_slots = 21;
        std::vector<float> k(static_cast<std::size_t>(n_slots * stride)), v(k.size()),
            q(static_cast<std::size_t>(hd));
        for (float& x : k)
            x = gauss(rng);
        for (float& x : v)
            x = gauss(rng);
        for (float& x : q)
            x = gauss(rng);
        // Slots 0..8 in one run, 9..20 in another (as a paged cache hands them out).
        const KvRun runs[2] = {{0, 9, k.data(), v.data()},
                               {9, 12, k.data() + 9 * stride, v.data() + 9 * stride}};
        const float scale = 1.0f / std::sqrt(float(hd));
        const std::int64_t first = 3, n_visible = n_slots, head = 1;
        std::vector<float> probs(static_cast<std::size_t>(n_slots)),
            out(static_cast<std::size_t>(hd));
        cpu::attendRow(q.data(), runs, head * hd, stride, cpu::AttendSpec{hd, scale, 0.0f}, first,
                       n_visible, probs.data(), out.data());
        std::vector<double> p(static_cast<std::size_t>(n_slots), 0.0);
        double max = -1e300, sum = 0;
        for (std::int64_t j = first; j < n_visible; ++j) {
            double s = 0;
            for (std::int64_t d = 0; d < hd; ++d)
                s += double(q[std::size_t(d)]) * k[std::size_t(j * stride + head * hd + d)];
            p[std::size_t(j)] = s * scale;
            max = std::max(max, p[std::size_t(j)]);
        }
        for (std::int64_t j = first; j < n_visible; ++j)
            sum += (p[std::size_t(j)] = std::exp(p[std::size_t(j)] - max));
        for (std::int64_t j = 0; j < n_slots; ++j) {
            INFO("head_dim " << hd << ", slot " << j);
            CHECK(probs[std::size_t(j)] == Approx(p[std::size_t(j)] / sum).margin(1e-6));
        }
        for (std::int64_t d = 0; d < hd; ++d) {
            double want = 0;
            for (std::int64_t j = first; j < n_visible; ++j)
                want += p[std::size_t(j)] / sum * v[std::size_t(j * stride + head * hd + d)];
            INFO("head_dim " << hd << ", dimension " << d);
            CHECK(out[std::size_t(d)] == Approx(want).margin(1e-5));
        }
    }
}

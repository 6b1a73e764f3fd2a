#pragma once
// Seeded N(0, spread^2) values: the inputs of the kernel tests.
#include <cstdint>
#include <random>
#include <vector>

namespace kvscope::test {

inline std::vector<float> randomValues(std::size_t n, std::uint32_t seed, float spread = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, spread);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

}  // namespace kvscope::test

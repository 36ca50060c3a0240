// Helpers for the GEMM tests (gemm_test.cc, packed_gemm_test.cc).
#pragma once

#include <random>
#include <vector>

namespace onyx::test {

// n floats uniform in [-1, 1) from `seed` (std::mt19937: the same values on every platform).
inline std::vector<float> random_floats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

}  // namespace onyx::test

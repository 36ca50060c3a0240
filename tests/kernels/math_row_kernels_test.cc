// The dispatched fp32 row kernels (AVX-512 where the CPU has it) vs the scalar reference table, on odd row
// lengths (masked tails), extreme exp inputs and NaN.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu {
namespace {

std::vector<float> random_row(int64_t n, unsigned seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

void compare_tables(const RowKernelsF32& fast) {
  const RowKernelsF32& ref = row_kernels_f32_reference();
  for (int64_t n : {1, 7, 15, 16, 17, 33, 129, 768}) {
    const auto x = random_row(n, static_cast<unsigned>(n), -30.0f, 30.0f);
    EXPECT_EQ(fast.max(x.data(), n), ref.max(x.data(), n)) << fast.name << " n=" << n;
    EXPECT_NEAR(fast.sum(x.data(), n), ref.sum(x.data(), n), 1e-4 * n) << fast.name << " n=" << n;
    std::vector<float> yf(x.size()), yr(x.size());
    const float sf = fast.exp_shift_sum(x.data(), 3.0f, yf.data(), n);
    const float sr = ref.exp_shift_sum(x.data(), 3.0f, yr.data(), n);
    EXPECT_NEAR(sf / sr, 1.0f, 1e-5) << fast.name << " n=" << n;
    for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(yf[i] / yr[i], 1.0f, 2e-6) << "exp(" << x[i] - 3.0f << ")";
    fast.scale_shift(x.data(), 0.5f, 2.0f, yf.data(), n);
    ref.scale_shift(x.data(), 0.5f, 2.0f, yr.data(), n);
    for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(yf[i], yr[i], 1e-5);
    const auto scale = random_row(n, 7, 0.5f, 1.5f), bias = random_row(n, 8, -1.0f, 1.0f);
    float mf, inf_, mr, ir;
    fast.layer_norm(x.data(), scale.data(), bias.data(), yf.data(), n, 1e-5f, &mf, &inf_);
    ref.layer_norm(x.data(), scale.data(), bias.data(), yr.data(), n, 1e-5f, &mr, &ir);
    EXPECT_NEAR(mf, mr, 1e-4);
    EXPECT_NEAR(inf_ / ir, 1.0f, 1e-4);
    for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(yf[i], yr[i], 1e-4) << fast.name << " n=" << n;
  }
  // exp edge cases: far below range -> 0, above -> inf, NaN stays NaN, 0 -> 1
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> e = {-inf, -200.0f, -87.0f, 0.0f, 88.0f, 100.0f, inf, std::nanf("")}, y(e.size());
  fast.exp_shift_sum(e.data(), 0.0f, y.data(), static_cast<int64_t>(e.size()));
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_NEAR(y[2] / std::exp(-87.0f), 1.0f, 1e-5);
  EXPECT_EQ(y[3], 1.0f);
  EXPECT_NEAR(y[4] / std::exp(88.0f), 1.0f, 1e-5);
  EXPECT_EQ(y[5], inf);
  EXPECT_EQ(y[6], inf);
  EXPECT_TRUE(std::isnan(y[7]));
  const float with_nan[] = {1.0f, std::nanf(""), 2.0f};
  EXPECT_TRUE(std::isnan(fast.max(with_nan, 3)));
  EXPECT_EQ(fast.max(with_nan, 0), -inf);
}

// GELU rows vs double-precision formulas (the reference table uses float std::erf / std::tanh, the AVX-512 table
// a rational erf and exp): with and without bias, odd lengths, the tails of both formulas and NaN.
void check_gelu(const RowKernelsF32& k) {
  auto erf_ref = [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); };
  auto tanh_ref = [](double v) {
    return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
  };
  for (int64_t n : {1, 15, 16, 17, 100, 3072}) {
    const auto x = random_row(n, static_cast<unsigned>(n) + 11, -8.0f, 8.0f);
    const auto bias = random_row(n, 5, -1.0f, 1.0f);
    std::vector<float> y(x.size());
    for (const float* b : {static_cast<const float*>(nullptr), bias.data()}) {
      for (bool use_erf : {true, false}) {
        (use_erf ? k.gelu_erf : k.gelu_tanh)(x.data(), b, y.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          const double v = static_cast<double>(x[i]) + (b ? b[i] : 0.0f);
          const double want = use_erf ? erf_ref(v) : tanh_ref(v);
          EXPECT_NEAR(y[i], want, 2e-6 * std::max(1.0, std::abs(want)))
              << k.name << (use_erf ? " gelu_erf(" : " gelu_tanh(") << v << ") n=" << n;
        }
      }
    }
  }
  // in place, the far tails (0 below, identity above; no NaN from inf / inf) and NaN propagation
  const float inf = std::numeric_limits<float>::infinity();
  for (bool use_erf : {true, false}) {
    std::vector<float> t = {-inf, -100.0f, -10.0f, 0.0f, 10.0f, 100.0f, inf, std::nanf("")};
    (use_erf ? k.gelu_erf : k.gelu_tanh)(t.data(), nullptr, t.data(), static_cast<int64_t>(t.size()));
    EXPECT_NEAR(t[1], 0.0f, 1e-30) << k.name;
    EXPECT_NEAR(t[2], 0.0f, 1e-6) << k.name;
    EXPECT_EQ(t[3], 0.0f) << k.name;
    EXPECT_NEAR(t[4], 10.0f, 1e-5) << k.name;
    EXPECT_EQ(t[5], 100.0f) << k.name;
    EXPECT_EQ(t[6], inf) << k.name;
    EXPECT_TRUE(std::isnan(t[7])) << k.name;
  }
}

TEST(MathRowKernels, GeluReference) { check_gelu(row_kernels_f32_reference()); }

TEST(MathRowKernels, GeluAvx512) {
  const RowKernelsF32* avx512 = row_kernels_f32_avx512();
  if (!avx512) GTEST_SKIP() << "no AVX-512F on this CPU";
  check_gelu(*avx512);
}

TEST(MathRowKernels, ReferenceSelfCheck) { compare_tables(row_kernels_f32_reference()); }

TEST(MathRowKernels, Avx512MatchesReference) {
  const RowKernelsF32* avx512 = row_kernels_f32_avx512();
  if (!avx512) GTEST_SKIP() << "no AVX-512F on this CPU";
  compare_tables(*avx512);
}

TEST(MathRowKernels, DispatchPicksTheBestTable) {
  EXPECT_EQ(&row_kernels_f32(), row_kernels_f32_avx512() ? row_kernels_f32_avx512() : &row_kernels_f32_reference());
}

}  // namespace
}  // namespace onyx::cpu

// gemm_f32 / gemm_f32_batched vs gemm_f32_reference on random shapes (odd sizes, transposes, alpha/beta,
// padded leading dimensions). Tolerance grows with K: each output is a K-term fp32 dot product.
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "src/ep/cpu/gemm/gemm.h"
#include "tests/kernels/gemm_test_util.h"

namespace onyx::cpu {
namespace {

using test::random_floats;

struct Case {
  int64_t m, n, k;
  bool ta, tb;
  float alpha, beta;
  int64_t pad;  // extra elements per row in lda/ldb/ldc
};

void check_case(const Case& cs, unsigned seed) {
  GemmParams p{.trans_a = cs.ta, .trans_b = cs.tb, .m = cs.m, .n = cs.n, .k = cs.k, .alpha = cs.alpha,
               .beta = cs.beta};
  p.lda = (cs.ta ? cs.m : cs.k) + cs.pad;
  p.ldb = (cs.tb ? cs.k : cs.n) + cs.pad;
  p.ldc = cs.n + cs.pad;
  const int64_t a_rows = cs.ta ? cs.k : cs.m, b_rows = cs.tb ? cs.n : cs.k;
  const auto a = random_floats(static_cast<size_t>(std::max<int64_t>(1, a_rows * p.lda)), seed);
  const auto b = random_floats(static_cast<size_t>(std::max<int64_t>(1, b_rows * p.ldb)), seed + 1);
  auto c = random_floats(static_cast<size_t>(std::max<int64_t>(1, cs.m * p.ldc)), seed + 2);
  if (cs.beta == 0.0f)  // beta == 0 must not read C
    for (float& x : c) x = std::numeric_limits<float>::quiet_NaN();
  auto want = c;
  gemm_f32_reference(p, a.data(), b.data(), want.data());
  ASSERT_TRUE(gemm_f32(p, a.data(), b.data(), c.data()).ok());
  const double tol = 1e-5 * (1.0 + static_cast<double>(cs.k)) * (1.0 + std::fabs(cs.alpha));
  for (int64_t i = 0; i < cs.m; ++i)
    for (int64_t j = 0; j < cs.n; ++j)
      ASSERT_NEAR(c[i * p.ldc + j], want[i * p.ldc + j], tol)
          << "m=" << cs.m << " n=" << cs.n << " k=" << cs.k << " ta=" << cs.ta << " tb=" << cs.tb << " at " << i
          << "," << j;
}

TEST(Gemm, MatchesReferenceOnOddShapes) {
  const int64_t sizes[] = {1, 7, 35, 129};
  unsigned seed = 1;
  for (int64_t m : sizes)
    for (int64_t n : sizes)
      for (int64_t k : sizes)
        for (int t = 0; t < 4; ++t) check_case({m, n, k, (t & 1) != 0, (t & 2) != 0, 1.0f, 0.0f, 0}, seed++);
}

TEST(Gemm, AlphaBetaAndPaddedLeadingDims) {
  unsigned seed = 100;
  for (float alpha : {1.0f, 0.5f, -2.0f})
    for (float beta : {0.0f, 1.0f, 0.25f})
      for (int t = 0; t < 4; ++t)
        for (int64_t pad : {0, 3}) check_case({17, 9, 33, (t & 1) != 0, (t & 2) != 0, alpha, beta, pad}, seed++);
}

TEST(Gemm, LargerShape) { check_case({256, 384, 768, false, true, 1.0f, 0.0f, 0}, 7); }

TEST(Gemm, ZeroSizedDims) {
  check_case({0, 5, 3, false, false, 1.0f, 0.0f, 0}, 1);
  check_case({4, 0, 3, false, false, 1.0f, 0.0f, 0}, 2);
  check_case({4, 5, 0, false, false, 1.0f, 0.0f, 0}, 3);  // C = 0
  check_case({4, 5, 0, false, false, 1.0f, 0.5f, 0}, 4);  // C = beta * C
}

TEST(Gemm, BatchedWithBroadcastOffsets) {
  const int64_t m = 7, n = 13, k = 35, batch = 6;
  const auto a = random_floats(static_cast<size_t>(batch * m * k), 11);
  const auto b = random_floats(static_cast<size_t>(k * n), 12);  // one B for every batch (offset 0)
  std::vector<int64_t> a_off, b_off(batch, 0), c_off;
  for (int64_t i = 0; i < batch; ++i) {
    a_off.push_back(i * m * k);
    c_off.push_back(i * m * n);
  }
  std::vector<float> c(static_cast<size_t>(batch * m * n)), want(c.size());
  GemmParams p{.m = m, .n = n, .k = k};
  ASSERT_TRUE(gemm_f32_batched(p, a.data(), a_off, b.data(), b_off, c.data(), c_off).ok());
  for (int64_t i = 0; i < batch; ++i) gemm_f32_reference(p, a.data() + a_off[i], b.data(), want.data() + c_off[i]);
  for (size_t i = 0; i < c.size(); ++i) ASSERT_NEAR(c[i], want[i], 1e-4);
}

TEST(Gemm, GenericMatchesReference) {
  const GemmParams p{.trans_a = true, .trans_b = false, .m = 5, .n = 4, .k = 3, .alpha = 2.0f, .beta = 0.0f};
  std::vector<int64_t> a(15), b(12), c(20);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int64_t>(i) - 7;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<int64_t>(i % 5) - 2;
  gemm_generic(p, a.data(), b.data(), c.data());
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      int64_t acc = 0;
      for (int64_t l = 0; l < 3; ++l) acc += a[l * 5 + i] * b[l * 4 + j];
      EXPECT_EQ(c[i * 4 + j], 2 * acc);
    }
}

TEST(Gemm, BadLeadingDimensionIsAnError) {
  const GemmParams p{.m = 2, .n = 2, .k = 3, .lda = 2};
  std::vector<float> a(6), b(6), c(4);
  EXPECT_FALSE(gemm_f32(p, a.data(), b.data(), c.data()).ok());
}

}  // namespace
}  // namespace onyx::cpu

// PackedGemm (onyx's AVX-512 fp32 kernel, oneDNN and portable variants) vs plain references: fp32 against gemm_f32_reference plus the
// epilogue in double; bf16 against a reference that rounds alpha*W and X to bf16 (round to nearest even, the
// scalar to_bfloat16) and accumulates in double. Tolerances grow with K (each output is a K-term dot product).
#include "src/ep/cpu/gemm/packed_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/core/half.h"
#include "src/ep/cpu/gemm/bf16_convert.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "tests/kernels/gemm_test_util.h"

namespace onyx::cpu {
namespace {

using test::random_floats;

constexpr PackedGemmEpilogue kEpilogues[] = {PackedGemmEpilogue::kNone, PackedGemmEpilogue::kGeluErf,
                                             PackedGemmEpilogue::kGeluTanh};

double gelu_ref(double v, PackedGemmEpilogue e) {
  if (e == PackedGemmEpilogue::kGeluErf) return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
  if (e == PackedGemmEpilogue::kGeluTanh)
    return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
  return v;
}

float bf16_round(float v) { return to_float(to_bfloat16(v)); }

struct Case {
  int64_t m, k, n;
  bool transposed = false;
  bool bias = false;
  PackedGemmEpilogue epilogue = PackedGemmEpilogue::kNone;
  int64_t pad_x = 0, pad_y = 0;  // ldx = k + pad_x, ldy = n + pad_y
  float alpha = 1.0f;
};

std::string describe(const Case& c, const PackedGemmOptions& o) {
  return "m=" + std::to_string(c.m) + " k=" + std::to_string(c.k) + " n=" + std::to_string(c.n) +
         " trans=" + std::to_string(c.transposed) + " bias=" + std::to_string(c.bias) +
         " epilogue=" + std::to_string(static_cast<int>(c.epilogue)) + " pads=" + std::to_string(c.pad_x) + "," +
         std::to_string(c.pad_y) + " alpha=" + std::to_string(c.alpha) + " bf16=" + std::to_string(o.bf16) +
         " portable=" + std::to_string(o.portable) + " onednn=" + std::to_string(o.onednn);
}

// Operands of one case, and the reference output (in double, rows of stride n).
struct Problem {
  std::vector<float> w, bias, x;
  int64_t ldx, ldy;
};

Problem make_problem(const Case& c, unsigned seed) {
  Problem p;
  p.ldx = c.k + c.pad_x;
  p.ldy = c.n + c.pad_y;
  p.w = random_floats(static_cast<size_t>(c.k * c.n), seed);
  if (c.bias) p.bias = random_floats(static_cast<size_t>(c.n), seed + 1);
  p.x = random_floats(static_cast<size_t>(std::max<int64_t>(1, c.m * p.ldx)), seed + 2);
  return p;
}

// y_ref[i, j] = epilogue(sum_l X[i, l] * alpha W[l, j] + bias[j]); with bf16, X and alpha*W rounded first.
std::vector<double> reference(const Case& c, const Problem& p, bool bf16) {
  std::vector<double> y(static_cast<size_t>(c.m * c.n));
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      double acc = 0;
      for (int64_t l = 0; l < c.k; ++l) {
        float xv = p.x[i * p.ldx + l];
        float wv = c.alpha * (c.transposed ? p.w[j * c.k + l] : p.w[l * c.n + j]);
        if (bf16) {
          xv = bf16_round(xv);
          wv = bf16_round(wv);
        }
        acc += static_cast<double>(xv) * wv;
      }
      if (c.bias) acc += p.bias[j];
      y[static_cast<size_t>(i * c.n + j)] = gelu_ref(acc, c.epilogue);
    }
  return y;
}

// fp32 results differ from the double reference by fp32 rounding of a K-term sum; bf16 ones additionally by the
// library's fp32 accumulation order only (the inputs are the same rounded numbers), so the same bound holds.
double tolerance(const Case& c) { return 2e-6 * (4.0 + static_cast<double>(c.k)) * (1.0 + std::fabs(c.alpha)); }

void check(const Case& c, const PackedGemmOptions& base, unsigned seed) {
  PackedGemmOptions o = base;
  o.epilogue = c.epilogue;
  o.alpha = c.alpha;
  const Problem p = make_problem(c, seed);
  auto g = PackedGemm::create(p.w.data(), c.k, c.n, c.transposed, c.bias ? p.bias.data() : nullptr, o);
  ASSERT_TRUE(g.ok()) << g.status().to_string() << " " << describe(c, o);
  EXPECT_EQ((*g)->k(), c.k);
  EXPECT_EQ((*g)->n(), c.n);
  EXPECT_EQ((*g)->bf16(), o.bf16);
  EXPECT_GT((*g)->packed_bytes(), 0u);
  const float kSentinel = 12345.0f;  // the padding of Y must not be written
  std::vector<float> y(static_cast<size_t>(std::max<int64_t>(1, c.m * p.ldy)), kSentinel);
  ASSERT_TRUE((*g)->run(p.x.data(), c.m, p.ldx, y.data(), p.ldy).ok()) << describe(c, o);
  const std::vector<double> want = reference(c, p, o.bf16);
  const double tol = tolerance(c);
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < c.n; ++j)
      ASSERT_NEAR(y[i * p.ldy + j], want[i * c.n + j], tol) << describe(c, o) << " at " << i << "," << j;
    for (int64_t j = c.n; j < p.ldy; ++j) ASSERT_EQ(y[i * p.ldy + j], kSentinel) << describe(c, o);
  }
}

std::vector<PackedGemmOptions> variants(bool bf16) {
  std::vector<PackedGemmOptions> v;
  PackedGemmOptions o;
  o.bf16 = bf16;
  o.portable = true;
  v.push_back(o);
  if (!bf16 || cpu_features().avx512bf16) {
    o.portable = false;
    v.push_back(o);  // fp32: onyx's AVX-512 kernel where the CPU has AVX-512F, else oneDNN
  }
  if (!bf16) {
    o.onednn = true;  // fp32 through oneDNN even on AVX-512
    v.push_back(o);
  }
  return v;
}

TEST(PackedGemm, Fp32MatchesReferenceOnOddShapes) {
  unsigned seed = 1;
  for (const PackedGemmOptions& o : variants(false))
    for (int64_t m : {0, 1, 3, 35, 128, 257})
      for (auto [k, n] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {17, 100}, {100, 17}, {768, 768}})
        check({.m = m, .k = k, .n = n}, o, seed++);
}

// K beyond one K chunk of the AVX-512 kernel (768; 1600 = 3 uneven chunks), M beyond its row chunk (288), N past
// a 64-column block, with bias and both GELUs on the last chunk.
TEST(PackedGemm, Fp32LongKLargeMAndEpilogues) {
  unsigned seed = 50;
  for (const PackedGemmOptions& o : variants(false))
    for (PackedGemmEpilogue e : kEpilogues) {
      check({.m = 35, .k = 1600, .n = 130, .bias = true, .epilogue = e}, o, seed++);
      check({.m = 300, .k = 800, .n = 70, .bias = e != PackedGemmEpilogue::kNone, .epilogue = e, .pad_y = 2}, o,
            seed++);
      check({.m = 7, .k = 3072, .n = 64, .transposed = true, .epilogue = e}, o, seed++);
    }
}

TEST(PackedGemm, Fp32TransposedBiasEpiloguesAndStrides) {
  unsigned seed = 100;
  for (const PackedGemmOptions& o : variants(false))
    for (PackedGemmEpilogue e : kEpilogues)
      for (bool transposed : {false, true})
        for (bool bias : {false, true}) {
          check({.m = 35, .k = 100, .n = 67, .transposed = transposed, .bias = bias, .epilogue = e}, o, seed++);
          check({.m = 9,
                 .k = 33,
                 .n = 17,
                 .transposed = transposed,
                 .bias = bias,
                 .epilogue = e,
                 .pad_x = 5,
                 .pad_y = 3,
                 .alpha = 0.5f},
                o, seed++);
        }
}

TEST(PackedGemm, Bf16MatchesRoundedReference) {
  unsigned seed = 200;
  for (const PackedGemmOptions& o : variants(true)) {
    for (int64_t m : {0, 1, 3, 35, 128, 257})
      for (auto [k, n] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {17, 100}, {768, 768}})
        check({.m = m, .k = k, .n = n}, o, seed++);
    for (PackedGemmEpilogue e : kEpilogues)
      for (bool transposed : {false, true})
        check({.m = 13,
               .k = 65,
               .n = 33,
               .transposed = transposed,
               .bias = true,
               .epilogue = e,
               .pad_x = 3,
               .pad_y = 2,
               .alpha = 2.0f},
              o, seed++);
  }
}

// One object serves many M values (its per-M primitive cache); results must not depend on the order.
TEST(PackedGemm, AlternatingMOnOneObject) {
  for (bool bf16 : {false, true})
    for (const PackedGemmOptions& base : variants(bf16)) {
      PackedGemmOptions o = base;
      o.epilogue = PackedGemmEpilogue::kGeluErf;
      const Case big{.m = 70, .k = 96, .n = 80, .bias = true, .epilogue = o.epilogue};
      const Problem p = make_problem(big, 7);
      auto g = PackedGemm::create(p.w.data(), big.k, big.n, false, p.bias.data(), o);
      ASSERT_TRUE(g.ok()) << g.status().to_string();
      const std::vector<double> want = reference(big, p, bf16);  // rows do not depend on m
      for (int64_t m : {70, 1, 35, 70, 2, 35, 1, 69}) {
        std::vector<float> y(static_cast<size_t>(m * big.n));
        ASSERT_TRUE((*g)->run(p.x.data(), m, big.k, y.data(), big.n).ok());
        for (int64_t i = 0; i < m * big.n; ++i) ASSERT_NEAR(y[i], want[i], tolerance(big)) << "m=" << m << " at " << i;
      }
    }
}

// More distinct M values than one object caches primitives for (32): evicted shapes are rebuilt correctly.
TEST(PackedGemm, MoreShapesThanTheCacheHolds) {
  const Case c{.m = 45, .k = 24, .n = 40, .bias = true};
  const Problem p = make_problem(c, 9);
  auto g = PackedGemm::create(p.w.data(), c.k, c.n, false, p.bias.data(), {});
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const std::vector<double> want = reference(c, p, false);
  for (int pass = 0; pass < 2; ++pass)
    for (int64_t m = 1; m <= c.m; ++m) {
      std::vector<float> y(static_cast<size_t>(m * c.n));
      ASSERT_TRUE((*g)->run(p.x.data(), m, c.k, y.data(), c.n).ok());
      for (int64_t i = 0; i < m * c.n; ++i) ASSERT_NEAR(y[i], want[i], tolerance(c)) << "m=" << m << " at " << i;
    }
}

// run() is const and may be called from several threads at once (shared primitive cache, per-thread scratch).
TEST(PackedGemm, ConcurrentRunsFromTwoThreads) {
  for (bool bf16 : {false, true})
    for (const PackedGemmOptions& o : variants(bf16)) {
      const Case c{.m = 64, .k = 128, .n = 96, .bias = true};
      const Problem p = make_problem(c, 11);
      auto g = PackedGemm::create(p.w.data(), c.k, c.n, false, p.bias.data(), o);
      ASSERT_TRUE(g.ok()) << g.status().to_string();
      const std::vector<double> want = reference(c, p, bf16);
      std::vector<int> bad(2, 0);
      auto worker = [&](int t) {
        for (int it = 0; it < 30; ++it) {
          const int64_t m = 1 + (it * 7 + t * 13) % c.m;  // distinct M values race on the cache
          std::vector<float> y(static_cast<size_t>(m * c.n));
          if (!(*g)->run(p.x.data(), m, c.k, y.data(), c.n).ok()) ++bad[t];
          for (int64_t i = 0; i < m * c.n; ++i)
            if (std::fabs(y[i] - want[i]) > tolerance(c)) ++bad[t];
        }
      };
      std::thread t0(worker, 0), t1(worker, 1);
      t0.join();
      t1.join();
      EXPECT_EQ(bad[0] + bad[1], 0) << "bf16=" << bf16 << " portable=" << o.portable;
    }
}

TEST(PackedGemm, BadArgumentsAreErrors) {
  const std::vector<float> w(12, 1.0f);
  EXPECT_FALSE(PackedGemm::create(w.data(), 0, 4, false, nullptr, {}).ok());
  EXPECT_FALSE(PackedGemm::create(w.data(), 3, -1, false, nullptr, {}).ok());
  EXPECT_FALSE(PackedGemm::create(nullptr, 3, 4, false, nullptr, {}).ok());
  auto g = PackedGemm::create(w.data(), 3, 4, false, nullptr, {});
  ASSERT_TRUE(g.ok());
  std::vector<float> x(6), y(8);
  EXPECT_FALSE((*g)->run(x.data(), 2, 2, y.data(), 4).ok());  // ldx < k
  EXPECT_FALSE((*g)->run(x.data(), 2, 3, y.data(), 3).ok());  // ldy < n
}

// Without AVX512-BF16, the oneDNN variant refuses bf16 with a FailedPrecondition naming the missing feature; a build
// without oneDNN gives the portable variant, which needs no bf16 hardware and must still follow bf16 semantics.
TEST(PackedGemm, Bf16WithoutAvx512Bf16FailsCleanly) {
  if (cpu_features().avx512bf16) GTEST_SKIP() << "this CPU has AVX512-BF16";
  const Case c{.m = 5, .k = 7, .n = 9};
  const Problem p = make_problem(c, 21);
  PackedGemmOptions o;
  o.bf16 = true;
  auto g = PackedGemm::create(p.w.data(), c.k, c.n, false, nullptr, o);
  if (!g.ok()) {
    EXPECT_EQ(g.status().code(), StatusCode::kFailedPrecondition) << g.status().to_string();
    EXPECT_NE(g.status().message().find("AVX512-BF16"), std::string::npos) << g.status().to_string();
    return;
  }
  std::vector<float> y(static_cast<size_t>(c.m * c.n));
  ASSERT_TRUE((*g)->run(p.x.data(), c.m, c.k, y.data(), c.n).ok());
  const std::vector<double> want = reference(c, p, /*bf16=*/true);
  for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], want[i], tolerance(c)) << i;
}

TEST(Bf16Convert, DispatchedMatchesReference) {
  std::vector<float> x = random_floats(1000, 3);
  x[5] = 1.0f + 1.0f / 256.0f;  // tie: rounds to even (1.0)
  x[6] = 1.0f + 3.0f / 256.0f;  // tie: rounds to even (1 + 4/256)
  x[7] = std::numeric_limits<float>::infinity();
  x[8] = -0.0f;
  x[9] = 3.0e38f;  // rounds up to +inf
  for (int64_t n : {0, 1, 15, 16, 31, 32, 33, 1000}) {
    std::vector<BFloat16> got(static_cast<size_t>(n) + 1, BFloat16{0xdead}), want(got.size(), BFloat16{0xdead});
    convert_to_bf16(x.data(), n, got.data());
    convert_to_bf16_reference(x.data(), n, want.data());
    for (size_t i = 0; i <= static_cast<size_t>(n); ++i)
      ASSERT_EQ(got[i].bits, want[i].bits) << "n=" << n << " i=" << i;
  }
  std::vector<float> nan(3, std::numeric_limits<float>::quiet_NaN());
  std::vector<BFloat16> out(3);
  convert_to_bf16(nan.data(), 3, out.data());
  for (BFloat16 b : out) EXPECT_TRUE(std::isnan(to_float(b)));
}

}  // namespace
}  // namespace onyx::cpu

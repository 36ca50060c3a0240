// PackedQGemm (every variant this CPU runs: reference, avx2, avx512vnni) against a plain int64 triple loop written
// here: acc[i, j] = sum_k (x[i, k] - zx) (w[k, j] - zw[j]) on the operands exactly as given (uint8 weights
// unshifted), which is the math of ONNX MatMulInteger / DynamicQuantizeMatMul. int32 outputs must match exactly.
// fp32 outputs: the kernel computes fma(float(acc), float(sx * sw[j]), bias[j]): three fp32 roundings (acc to
// float, the scale product, the fma), each <= 2^-24 relative, against the double reference
// sx * sw[j] * acc + bias[j]: tolerance 4 * 2^-24 * (|sx sw acc| + |bias|). GELU adds the row kernels' error
// (erf rational approximation 4.6e-7 relative, exp ~2 ulp; see row_kernels.h) times GELU's slope (<= 1.13):
// tolerance 1.2 * that + 2e-6 |v| + 1e-7. The quantization helpers are checked against hand-computed values of
// the ONNX formulas (DynamicQuantizeLinear, QuantizeLinear: round half to even, saturate).
#include "src/ep/cpu/gemm/qgemm.h"

#include <gtest/gtest.h>

#include <array>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/qgemm_kernel.h"

namespace onyx::cpu {
namespace {

const char* isa_text(QGemmIsa isa) {
  switch (isa) {
    case QGemmIsa::kAuto:
      return "auto";
    case QGemmIsa::kReference:
      return "reference";
    case QGemmIsa::kAvx2:
      return "avx2";
    case QGemmIsa::kAvx512Vnni:
      return "avx512vnni";
  }
  return "?";
}

bool cpu_has(QGemmIsa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case QGemmIsa::kAvx2:
      return f.avx2 && f.fma;
    case QGemmIsa::kAvx512Vnni:
      return f.avx512f && f.avx512bw && f.avx512vnni;
    default:
      return true;
  }
}

// The variants this CPU can run (the reference always).
std::vector<QGemmIsa> variants() {
  std::vector<QGemmIsa> v{QGemmIsa::kReference};
  for (QGemmIsa isa : {QGemmIsa::kAvx2, QGemmIsa::kAvx512Vnni})
    if (cpu_has(isa)) v.push_back(isa);
  return v;
}

double gelu_ref(double v, PackedGemmEpilogue e) {
  if (e == PackedGemmEpilogue::kGeluErf) return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
  if (e == PackedGemmEpilogue::kGeluTanh)
    return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
  return v;
}

struct Case {
  int64_t m = 1, k = 1, n = 1;
  DType dtype = DType::kInt8;
  bool transposed = false;
  bool per_column = false;
  bool weight_zp = false;  // nonzero weight zero points
  uint8_t zx = 0;
  bool bias = false;
  PackedGemmEpilogue epilogue = PackedGemmEpilogue::kNone;
  int64_t pad_x = 0, pad_y = 0;
};

std::string describe(const Case& c) {
  return "m=" + std::to_string(c.m) + " k=" + std::to_string(c.k) + " n=" + std::to_string(c.n) +
         " u8w=" + std::to_string(c.dtype == DType::kUInt8) + " trans=" + std::to_string(c.transposed) +
         " per_col=" + std::to_string(c.per_column) + " wzp=" + std::to_string(c.weight_zp) +
         " zx=" + std::to_string(c.zx) + " bias=" + std::to_string(c.bias) +
         " epi=" + std::to_string(static_cast<int>(c.epilogue)) + " pads=" + std::to_string(c.pad_x) + "," +
         std::to_string(c.pad_y);
}

// Operands as given to PackedQGemm: w bytes ([K, N] or [N, K]), zero points and scales (num_scales values), x.
struct Problem {
  Case c;
  std::vector<uint8_t> w, zp, x;  // w / zp bytes hold int8 or uint8 values per c.dtype
  std::vector<float> scales, bias;
  float sx = 0.02f;
  int64_t ldx = 0, ldy = 0;

  int64_t num_scales() const { return c.per_column ? c.n : 1; }
  int32_t w_at(int64_t l, int64_t j) const {
    const uint8_t b = w[static_cast<size_t>(c.transposed ? j * c.k + l : l * c.n + j)];
    return c.dtype == DType::kUInt8 ? static_cast<int32_t>(b) : static_cast<int32_t>(static_cast<int8_t>(b));
  }
  int32_t zw_at(int64_t j) const {
    if (zp.empty()) return 0;
    const uint8_t b = zp[static_cast<size_t>(c.per_column ? j : 0)];
    return c.dtype == DType::kUInt8 ? static_cast<int32_t>(b) : static_cast<int32_t>(static_cast<int8_t>(b));
  }
  float sw_at(int64_t j) const { return scales[static_cast<size_t>(c.per_column ? j : 0)]; }
  QGemmWeights weights() const {
    return {.data = w.data(),
            .dtype = c.dtype,
            .k = c.k,
            .n = c.n,
            .transposed = c.transposed,
            .scales = scales.data(),
            .num_scales = num_scales(),
            .zero_points = zp.empty() ? nullptr : zp.data()};
  }
};

Problem make_problem(const Case& c, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> unit(0.5f, 1.5f);
  Problem p;
  p.c = c;
  p.ldx = c.k + c.pad_x;
  p.ldy = c.n + c.pad_y;
  p.w.resize(static_cast<size_t>(c.k * c.n));
  for (uint8_t& b : p.w) b = static_cast<uint8_t>(byte(rng));
  if (c.weight_zp) {
    p.zp.resize(static_cast<size_t>(p.num_scales()));
    for (uint8_t& b : p.zp) b = static_cast<uint8_t>(byte(rng));
  }
  p.scales.resize(static_cast<size_t>(p.num_scales()));
  for (float& s : p.scales) s = 0.01f * unit(rng);
  if (c.bias) {
    p.bias.resize(static_cast<size_t>(c.n));
    for (float& b : p.bias) b = 4.0f * (unit(rng) - 1.0f);
  }
  p.x.resize(static_cast<size_t>(std::max<int64_t>(1, c.m * p.ldx)));
  for (uint8_t& b : p.x) b = static_cast<uint8_t>(byte(rng));
  return p;
}

// acc[i, j] = sum_k (x - zx)(w - zw[j]) in int64.
std::vector<int64_t> reference_acc(const Problem& p, const uint8_t* x, int64_t ldx, int32_t zx) {
  const Case& c = p.c;
  std::vector<int64_t> acc(static_cast<size_t>(c.m * c.n));
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      int64_t s = 0;
      const int64_t zw = p.zw_at(j);
      for (int64_t l = 0; l < c.k; ++l) s += (int64_t{x[i * ldx + l]} - zx) * (p.w_at(l, j) - zw);
      acc[static_cast<size_t>(i * c.n + j)] = s;
    }
  return acc;
}

// fp32 reference value and its tolerance (see the file comment).
struct Expected {
  double value, tol;
};
Expected expected_fp32(const Problem& p, int64_t acc, int64_t j, float sx) {
  const double lin = static_cast<double>(sx) * p.sw_at(j) * static_cast<double>(acc);
  const double b = p.bias.empty() ? 0.0 : p.bias[static_cast<size_t>(j)];
  const double tol_lin = 4.0 * std::ldexp(1.0, -24) * (std::fabs(lin) + std::fabs(b)) + 1e-30;
  const double v = lin + b;
  if (p.c.epilogue == PackedGemmEpilogue::kNone) return {v, tol_lin};
  return {gelu_ref(v, p.c.epilogue), 1.2 * tol_lin + 2e-6 * std::fabs(v) + 1e-7};
}

std::unique_ptr<PackedQGemm> make(const Problem& p, QGemmIsa isa) {
  auto g = PackedQGemm::create(p.weights(), p.bias.empty() ? nullptr : p.bias.data(),
                               {.epilogue = p.c.epilogue, .isa = isa});
  EXPECT_TRUE(g.ok()) << g.status().to_string() << " " << describe(p.c);
  if (!g.ok()) return nullptr;
  EXPECT_EQ((*g)->isa(), isa);
  EXPECT_EQ((*g)->k(), p.c.k);
  EXPECT_EQ((*g)->n(), p.c.n);
  EXPECT_GT((*g)->packed_bytes(), 0u);
  return std::move(*g);
}

constexpr int32_t kIntSentinel = 0x5a5a5a5a;
constexpr float kFloatSentinel = 12345.0f;  // Y's row padding must not be written

// Runs run_int32 and run_quantized of every variant on p and checks them; returns nothing (gtest failures).
void check(const Problem& p) {
  const Case& c = p.c;
  const std::vector<int64_t> acc = reference_acc(p, p.x.data(), p.ldx, c.zx);
  std::vector<float> first_variant;
  for (QGemmIsa isa : variants()) {
    SCOPED_TRACE(std::string(isa_text(isa)) + " " + describe(c));
    auto g = make(p, isa);
    ASSERT_TRUE(g);
    std::vector<int32_t> yi(static_cast<size_t>(std::max<int64_t>(1, c.m * p.ldy)), kIntSentinel);
    ASSERT_TRUE(g->run_int32(p.x.data(), c.m, p.ldx, c.zx, yi.data(), p.ldy).ok());
    for (int64_t i = 0; i < c.m; ++i) {
      for (int64_t j = 0; j < c.n; ++j) ASSERT_EQ(yi[i * p.ldy + j], acc[i * c.n + j]) << "int32 at " << i << "," << j;
      for (int64_t j = c.n; j < p.ldy; ++j) ASSERT_EQ(yi[i * p.ldy + j], kIntSentinel);
    }
    std::vector<float> yf(static_cast<size_t>(std::max<int64_t>(1, c.m * p.ldy)), kFloatSentinel);
    ASSERT_TRUE(g->run_quantized(p.x.data(), c.m, p.ldx, {p.sx, c.zx}, yf.data(), p.ldy).ok());
    for (int64_t i = 0; i < c.m; ++i) {
      for (int64_t j = 0; j < c.n; ++j) {
        const Expected e = expected_fp32(p, acc[i * c.n + j], j, p.sx);
        ASSERT_NEAR(yf[i * p.ldy + j], e.value, e.tol) << "fp32 at " << i << "," << j;
      }
      for (int64_t j = c.n; j < p.ldy; ++j) ASSERT_EQ(yf[i * p.ldy + j], kFloatSentinel);
    }
    // Every variant does the same fp32 operations on the same exact acc: identical bits without GELU.
    if (c.epilogue == PackedGemmEpilogue::kNone) {
      if (first_variant.empty())
        first_variant = yf;
      else
        ASSERT_EQ(0, std::memcmp(first_variant.data(), yf.data(), yf.size() * sizeof(float)));
    }
  }
}

TEST(QGemm, RandomShapesAllVariantsMatchInt64Reference) {
  std::mt19937 rng(2024);
  const auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  constexpr PackedGemmEpilogue kEpi[] = {PackedGemmEpilogue::kNone, PackedGemmEpilogue::kGeluErf,
                                         PackedGemmEpilogue::kGeluTanh};
  for (int it = 0; it < 40; ++it) {
    Case c;
    c.m = pick(0, 130);
    c.k = pick(1, 800);
    c.n = pick(1, 300);
    if (it % 3 == 0) c.k |= 1;  // not a multiple of 4
    if (it % 2 == 0 && c.n % 16 == 0) c.n += 1;
    c.dtype = it % 2 ? DType::kUInt8 : DType::kInt8;
    c.transposed = pick(0, 1);
    c.per_column = pick(0, 1);
    c.weight_zp = pick(0, 1);
    c.zx = static_cast<uint8_t>(pick(0, 255));
    c.bias = pick(0, 1);
    c.epilogue = kEpi[pick(0, 2)];
    c.pad_x = pick(0, 1) * pick(1, 9);
    c.pad_y = pick(0, 1) * pick(1, 9);
    check(make_problem(c, 1000 + it));
  }
}

// Small and edge shapes: every micro-kernel row count and column tail.
TEST(QGemm, EdgeShapes) {
  unsigned seed = 1;
  for (int64_t m : {0, 1, 2, 3, 4, 5, 6, 7, 13, 35})
    for (auto [k, n] : std::vector<std::pair<int64_t, int64_t>>{
             {1, 1}, {3, 5}, {4, 16}, {5, 17}, {7, 63}, {8, 64}, {9, 65}, {33, 129}, {64, 8}, {2, 200}}) {
      check(make_problem({.m = m, .k = k, .n = n, .weight_zp = true, .zx = 3, .bias = true}, seed++));
      check(make_problem({.m = m, .k = k, .n = n, .dtype = DType::kUInt8, .per_column = true, .zx = 200}, seed++));
    }
}

// Saturation edges: |x - zx| = 255 and |w - zw| = 255 everywhere, at the largest K allowed, where acc reaches
// -255 * 255 * K = -2147450625 (fits int32; one more K would not).
TEST(QGemm, SaturationEdgesAtMaxK) {
  const int64_t k = detail::kQGemmMaxK, n = 19, m = 3;
  for (DType dtype : {DType::kInt8, DType::kUInt8})
    for (bool w_low : {false, true}) {
      Problem p;
      p.c = {.m = m, .k = k, .n = n, .dtype = dtype, .weight_zp = true};
      // int8: w = -128 with zp 127 (diff -255) or w = 127 with zp -128 (+255); uint8: w = 0 / zp 255 or w = 255 / zp 0
      const uint8_t lo = dtype == DType::kInt8 ? 0x80 : 0, hi = dtype == DType::kInt8 ? 0x7f : 255;
      p.w.assign(static_cast<size_t>(k * n), w_low ? lo : hi);
      p.zp = {w_low ? hi : lo};
      p.scales = {1.0f / 65536};
      p.ldx = k;
      p.ldy = n;
      p.sx = 1.0f / 65536;
      p.x.assign(static_cast<size_t>(m * k), 255);  // zx 0: x - zx = 255
      p.c.zx = 0;
      for (int64_t l = 0; l < k; ++l) p.x[static_cast<size_t>(k + l)] = 0;  // row 1: x = 0, zx = 0 -> 0
      check(p);
      p.c.zx = 255;  // x - zx in {0, -255}
      check(p);
    }
}

// On 2 intra-op threads: {35, 77, 300} and {130, 65, 33} take the per-thread quantization path (small X),
// {100, 700, 20} the shared one (X split over the threads), {1, 768, 50} and {7, 5, 3} run on one thread (tiny).
TEST(QGemm, RunDynamicEqualsQuantizeThenRunQuantized) {
  unsigned seed = 500;
  set_intra_op_threads(2);
  for (auto [m, k, n] :
       std::vector<std::array<int64_t, 3>>{{1, 768, 50}, {35, 77, 300}, {130, 65, 33}, {7, 5, 3}, {100, 700, 20}})
    for (bool shift : {false, true}) {  // all positive x (zero point 0) or mixed signs
      Case c{.m = m,
             .k = k,
             .n = n,
             .per_column = true,
             .weight_zp = seed % 2 == 0,
             .bias = true,
             .epilogue = PackedGemmEpilogue::kGeluTanh,
             .pad_x = 3,
             .pad_y = 2};
      Problem p = make_problem(c, seed++);
      std::mt19937 rng(seed++);
      std::uniform_real_distribution<float> dist(shift ? 0.0f : -2.0f, 3.0f);
      std::vector<float> xf(static_cast<size_t>(m * p.ldx));
      for (float& v : xf) v = dist(rng);
      // parameters from the ONNX formula over the m x k values (padding excluded)
      float lo = 0, hi = 0;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t l = 0; l < k; ++l) {
          lo = std::min(lo, xf[i * p.ldx + l]);
          hi = std::max(hi, xf[i * p.ldx + l]);
        }
      const float scale = (hi - lo) / 255.0f;
      const auto zx = static_cast<uint8_t>(std::nearbyint(std::min(255.0f, std::max(0.0f, -lo / scale))));
      const QuantParams q = dynamic_quant_params(lo, hi);
      ASSERT_EQ(q.scale, scale);
      ASSERT_EQ(q.zero_point, zx);
      if (shift) {
        EXPECT_EQ(q.zero_point, 0);
      }
      std::vector<uint8_t> xq(static_cast<size_t>(m * k));
      for (int64_t i = 0; i < m; ++i)
        for (int64_t l = 0; l < k; ++l) {
          const float r = std::nearbyint(xf[i * p.ldx + l] / scale) + zx;
          xq[i * k + l] = static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, r)));
        }
      const std::vector<int64_t> acc = reference_acc(p, xq.data(), k, zx);
      for (QGemmIsa isa : variants()) {
        SCOPED_TRACE(std::string(isa_text(isa)) + " " + describe(c));
        auto g = make(p, isa);
        ASSERT_TRUE(g);
        std::vector<float> yd(static_cast<size_t>(m * p.ldy), kFloatSentinel), yq = yd;
        ASSERT_TRUE(g->run_dynamic(xf.data(), m, p.ldx, yd.data(), p.ldy).ok());
        ASSERT_TRUE(g->run_quantized(xq.data(), m, k, q, yq.data(), p.ldy).ok());
        ASSERT_EQ(0, std::memcmp(yd.data(), yq.data(), yd.size() * sizeof(float)));
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            const Expected e = expected_fp32(p, acc[i * n + j], j, q.scale);
            ASSERT_NEAR(yd[i * p.ldy + j], e.value, e.tol) << i << "," << j;
          }
      }
    }
  set_intra_op_threads(0);
}

// End to end against fp32 math: dequantized operands differ from the real ones by at most half a step each, so
// |y - x.w| <= K (sx/2 max|w| + sw/2 max|x| + sx sw / 4) (before the bias, no GELU).
TEST(QGemm, RunDynamicApproximatesFp32Product) {
  const int64_t m = 20, k = 300, n = 40;
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> wf(static_cast<size_t>(k * n)), xf(static_cast<size_t>(m * k));
  for (float& v : wf) v = dist(rng);
  for (float& v : xf) v = dist(rng) * 3.0f;
  std::vector<int8_t> wq(wf.size());
  std::vector<float> sw(static_cast<size_t>(n));
  quantize_weights_symmetric(wf.data(), k, n, false, true, wq.data(), sw.data());
  float lo = 0, hi = 0;
  for (float v : xf) lo = std::min(lo, v), hi = std::max(hi, v);
  const float sx = dynamic_quant_params(lo, hi).scale;
  for (QGemmIsa isa : variants()) {
    auto g = PackedQGemm::create({.data = wq.data(), .k = k, .n = n, .scales = sw.data(), .num_scales = n}, nullptr,
                                 {.isa = isa});
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    std::vector<float> y(static_cast<size_t>(m * n));
    ASSERT_TRUE((*g)->run_dynamic(xf.data(), m, k, y.data(), n).ok());
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double ref = 0;
        for (int64_t l = 0; l < k; ++l) ref += static_cast<double>(xf[i * k + l]) * wf[l * n + j];
        const double bound = k * (sx / 2 * 1.0 + sw[j] / 2 * 3.0 + sx * sw[j] / 4) + 1e-4;
        ASSERT_NEAR(y[i * n + j], ref, bound) << isa_text(isa) << " " << i << "," << j;
      }
  }
}

// One object, runs from several threads at once (each with its own intra-op thread count and M).
TEST(QGemm, ConcurrentRunsFromSeveralThreads) {
  const Case c{.m = 70,
               .k = 200,
               .n = 150,
               .per_column = true,
               .weight_zp = true,
               .zx = 17,
               .bias = true,
               .epilogue = PackedGemmEpilogue::kGeluErf};
  const Problem p = make_problem(c, 77);
  const std::vector<int64_t> acc = reference_acc(p, p.x.data(), p.ldx, c.zx);
  for (QGemmIsa isa : variants()) {
    auto g = make(p, isa);
    ASSERT_TRUE(g);
    std::vector<int> bad(6, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
      threads.emplace_back([&, t] {
        set_intra_op_threads(1 + t % 3);
        const int64_t m = c.m - 11 * t;  // rows do not depend on m
        std::vector<float> y(static_cast<size_t>(m * c.n));
        std::vector<int32_t> yi(y.size());
        for (int rep = 0; rep < 5; ++rep) {
          if (!g->run_quantized(p.x.data(), m, p.ldx, {p.sx, c.zx}, y.data(), c.n).ok()) ++bad[t];
          if (!g->run_int32(p.x.data(), m, p.ldx, c.zx, yi.data(), c.n).ok()) ++bad[t];
          for (int64_t i = 0; i < m * c.n; ++i) {
            const Expected e = expected_fp32(p, acc[i], i % c.n, p.sx);
            if (std::fabs(y[i] - e.value) > e.tol || yi[i] != acc[i]) ++bad[t];
          }
        }
      });
    for (auto& th : threads) th.join();
    for (int t = 0; t < 6; ++t) EXPECT_EQ(bad[t], 0) << isa_text(isa) << " thread " << t;
  }
}

// The result must not depend on the intra-op thread count (tiles split over rows and columns differently).
TEST(QGemm, SameBitsForAnyThreadCount) {
  for (auto [m, n] : std::vector<std::pair<int64_t, int64_t>>{{1, 300}, {35, 64}, {128, 17}, {130, 200}}) {
    const Problem p = make_problem({.m = m, .k = 100, .n = n, .weight_zp = true, .zx = 9, .bias = true}, 31);
    for (QGemmIsa isa : variants()) {
      auto g = make(p, isa);
      ASSERT_TRUE(g);
      std::vector<float> y1(static_cast<size_t>(m * n));
      set_intra_op_threads(1);
      ASSERT_TRUE(g->run_quantized(p.x.data(), m, p.ldx, {p.sx, 9}, y1.data(), n).ok());
      for (int threads : {2, 3, 4}) {
        set_intra_op_threads(threads);
        std::vector<float> y(y1.size());
        ASSERT_TRUE(g->run_quantized(p.x.data(), m, p.ldx, {p.sx, 9}, y.data(), n).ok());
        EXPECT_EQ(0, std::memcmp(y.data(), y1.data(), y.size() * sizeof(float))) << isa_text(isa) << " " << threads;
      }
      set_intra_op_threads(0);
    }
  }
}

TEST(QGemm, CreateAndRunErrors) {
  const int8_t w[6] = {1, 2, 3, 4, 5, 6};
  const float s[3] = {1, 1, 1};
  const auto code = [](const auto& r) { return r.ok() ? StatusCode::kOk : r.status().code(); };
  EXPECT_EQ(code(PackedQGemm::create({.data = w, .k = 0, .n = 3, .scales = s}, nullptr)), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(PackedQGemm::create({.data = w, .k = 2, .n = -1, .scales = s}, nullptr)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(PackedQGemm::create({.data = nullptr, .k = 2, .n = 3, .scales = s}, nullptr)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(PackedQGemm::create({.data = w, .dtype = DType::kFloat32, .k = 2, .n = 3, .scales = s}, nullptr)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(PackedQGemm::create({.data = w, .k = 2, .n = 3, .scales = s, .num_scales = 2}, nullptr)),
            StatusCode::kInvalidArgument);
  // K beyond the int32 bound (kQGemmMaxK + 1): rejected at creation, before W is read.
  std::vector<int8_t> big(static_cast<size_t>(detail::kQGemmMaxK + 1), 1);
  auto too_big = PackedQGemm::create({.data = big.data(), .k = detail::kQGemmMaxK + 1, .n = 1, .scales = s}, nullptr);
  EXPECT_EQ(code(too_big), StatusCode::kInvalidArgument);
  EXPECT_NE(too_big.status().message().find("overflow"), std::string::npos) << too_big.status().message();

  auto g = PackedQGemm::create({.data = w, .k = 2, .n = 3, .scales = s}, nullptr);
  ASSERT_TRUE(g.ok());
  uint8_t x[4] = {1, 2, 3, 4};
  float y[6];
  int32_t yi[6];
  EXPECT_EQ((*g)->run_quantized(x, 2, /*ldx=*/1, {}, y, 3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*g)->run_quantized(x, 2, 2, {}, y, /*ldy=*/2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*g)->run_quantized(x, -1, 2, {}, y, 3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*g)->run_int32(nullptr, 2, 2, 0, yi, 3).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*g)->run_quantized(nullptr, 0, 2, {}, nullptr, 3).ok());  // m = 0: nothing to do
  // No scales: int32 output only.
  auto no_scales = PackedQGemm::create({.data = w, .k = 2, .n = 3}, nullptr);
  ASSERT_TRUE(no_scales.ok());
  EXPECT_TRUE((*no_scales)->run_int32(x, 2, 2, 0, yi, 3).ok());
  EXPECT_EQ(yi[0], 1 * 1 + 2 * 4);  // x row 0 = (1, 2), W column 0 = (1, 4)
  EXPECT_EQ((*no_scales)->run_quantized(x, 2, 2, {}, y, 3).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*no_scales)->run_dynamic(s, 1, 2, y, 3).code(), StatusCode::kFailedPrecondition);
}

// A forced ISA the CPU lacks fails cleanly. Only testable where some variant is missing on this CPU.
TEST(QGemm, ForcedIsaTheCpuLacksFails) {
  const int8_t w[1] = {1};
  const float s[1] = {1};
  bool tested = false;
  for (QGemmIsa isa : {QGemmIsa::kAvx2, QGemmIsa::kAvx512Vnni}) {
    if (cpu_has(isa)) continue;
    auto g = PackedQGemm::create({.data = w, .k = 1, .n = 1, .scales = s}, nullptr, {.isa = isa});
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().code(), StatusCode::kFailedPrecondition);
    tested = true;
  }
  if (!tested) GTEST_SKIP() << "this CPU has every QGemm ISA (" << cpu_features().to_string() << ")";
}

// ONNX DynamicQuantizeLinear: range widened to include 0, scale = (max - min) / 255, zp = round(-min / scale).
TEST(QGemmQuantize, DynamicQuantParamsEdgeCases) {
  QuantParams q = dynamic_quant_params(0.0f, 0.0f);  // all zero: scale 1 (instead of 0), zp 0
  EXPECT_EQ(q.scale, 1.0f);
  EXPECT_EQ(q.zero_point, 0);
  q = dynamic_quant_params(0.5f, 2.0f);  // all positive: min widened to 0
  EXPECT_EQ(q.scale, 2.0f / 255.0f);
  EXPECT_EQ(q.zero_point, 0);
  q = dynamic_quant_params(-3.0f, -1.0f);  // all negative: max widened to 0, zp = 255
  EXPECT_EQ(q.scale, 3.0f / 255.0f);
  EXPECT_EQ(q.zero_point, 255);
  q = dynamic_quant_params(-1.0f, 3.0f);  // zp = round(1 / (4 / 255)) = round(63.75) = 64
  EXPECT_EQ(q.scale, 4.0f / 255.0f);
  EXPECT_EQ(q.zero_point, 64);
  q = dynamic_quant_params(-255.0f * 0.5f, 255.0f * 0.5f);  // scale 1, -min / scale = 127.5: half to even -> 128
  EXPECT_EQ(q.scale, 1.0f);
  EXPECT_EQ(q.zero_point, 128);
  q = dynamic_quant_params(-2.5f, 252.5f);  // scale 1, 2.5 -> 2
  EXPECT_EQ(q.scale, 1.0f);
  EXPECT_EQ(q.zero_point, 2);
  // max - min overflows fp32: a finite scale (max / 255 - min / 255) and a zero point near the middle
  q = dynamic_quant_params(-3e38f, 3e38f);
  EXPECT_TRUE(std::isfinite(q.scale));
  EXPECT_GT(q.scale, 0.0f);
  EXPECT_TRUE(q.zero_point == 127 || q.zero_point == 128) << int{q.zero_point};
  uint8_t y[3];
  const float big[3] = {-3e38f, 0.0f, 3e38f};
  quantize_u8(big, 1, 3, 3, q, y, 3);
  EXPECT_LE(y[0], 1);  // -3e38 / scale is about -127.5: -zp +- 1 after rounding
  EXPECT_EQ(y[1], q.zero_point);
  EXPECT_GE(y[2], 254);
  // NaN bounds are ignored, infinities clamped to the largest finite values
  q = dynamic_quant_params(std::nanf(""), 1.0f);
  EXPECT_EQ(q.scale, 1.0f / 255.0f);
  EXPECT_EQ(q.zero_point, 0);
  q = dynamic_quant_params(-std::numeric_limits<float>::infinity(), 0.0f);
  EXPECT_TRUE(std::isfinite(q.scale));
  EXPECT_EQ(q.zero_point, 255);
}

// ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zp). Hand-computed ties and saturation, placed at
// every position of a 100-value row (vector body and masked tail), 2 rows with strides.
TEST(QGemmQuantize, QuantizeU8TiesAndSaturation) {
  struct Item {
    float x;
    uint8_t want;
  };
  // scale 0.5, zp 10: x / 0.5 = 2x
  const Item items[] = {{0.25f, 10},                                       // 0.5 -> 0 (even)
                        {0.75f, 12},                                       // 1.5 -> 2
                        {1.25f, 12},                                       // 2.5 -> 2
                        {-0.25f, 10},                                      // -0.5 -> -0
                        {-0.75f, 8},                                       // -1.5 -> -2
                        {-1.75f, 6},                                       // -3.5 -> -4
                        {-5.0f, 0},                                        // -10 + 10
                        {-6.0f, 0},                                        // saturates at 0
                        {122.5f, 255},                                     // 245 + 10
                        {122.75f, 255},                                    // 245.5 -> 246 + 10 = 256: saturates
                        {1e30f, 255},   {-1e30f, 0}, {std::nanf(""), 0}};  // NaN -> 0 (as ONNX Runtime's MLAS)
  const QuantParams q{0.5f, 10};
  const int64_t k = 100, ldx = 103, ldy = 101;
  for (const Item& it : items)
    for (int64_t pos = 0; pos < k; pos += 7) {
      std::vector<float> x(static_cast<size_t>(2 * ldx), 1.0f);  // 1.0 -> 12
      x[static_cast<size_t>(ldx + pos)] = it.x;
      std::vector<uint8_t> y(static_cast<size_t>(2 * ldy), 77);
      quantize_u8(x.data(), 2, k, ldx, q, y.data(), ldy);
      for (int64_t l = 0; l < k; ++l) {
        ASSERT_EQ(y[l], 12) << l;
        ASSERT_EQ(y[ldy + l], l == pos ? it.want : 12) << "x=" << it.x << " at " << l;
      }
      ASSERT_EQ(y[k], 77);  // stride padding untouched
      ASSERT_EQ(y[ldy + k], 77);
    }
}

// The vector helpers against the reference ones on random data (exact: the same fp32 operations).
TEST(QGemmQuantize, VectorHelpersMatchReference) {
  const detail::QuantKernels* v = detail::quant_kernels_avx512();
  if (!v) GTEST_SKIP() << "no AVX-512 on this CPU";
  const detail::QuantKernels& r = detail::quant_kernels_reference();
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-3.0f, 2.0f);
  for (int64_t k : {1, 15, 16, 17, 63, 64, 65, 200, 1000}) {
    const int64_t m = 3, ldx = k + 5;
    std::vector<float> x(static_cast<size_t>(m * ldx));
    for (float& f : x) f = dist(rng);
    x[static_cast<size_t>(ldx + k / 2)] = std::nanf("");  // ignored by min/max
    float mn[2], mx[2];
    v->min_max(x.data(), m, k, ldx, &mn[0], &mx[0]);
    r.min_max(x.data(), m, k, ldx, &mn[1], &mx[1]);
    EXPECT_EQ(mn[0], mn[1]) << k;
    EXPECT_EQ(mx[0], mx[1]) << k;
    EXPECT_FALSE(std::isnan(mn[0]));
    const QuantParams q = dynamic_quant_params(mn[1], mx[1]);
    std::vector<uint8_t> a(static_cast<size_t>(m * k)), b(a.size());
    v->quantize(x.data(), m, k, ldx, q, a.data(), k);
    r.quantize(x.data(), m, k, ldx, q, b.data(), k);
    EXPECT_EQ(a, b) << k;
    std::vector<int32_t> sa(static_cast<size_t>(m)), sb(sa.size());
    v->row_sums(a.data(), m, k, k, sa.data());
    r.row_sums(a.data(), m, k, k, sb.data());
    EXPECT_EQ(sa, sb) << k;
  }
}

// Symmetric int8 weights: scale = max|w| / 127 per column or per tensor (1 for all zeros), q = round_half_even.
TEST(QGemmQuantize, QuantizeWeightsSymmetric) {
  // [K=4, N=3]: column 0 max 127 (scale 1: exact ties), column 1 max 254 (scale 2), column 2 all zero
  const float w[12] = {127.0f, 5.0f,    0.0f,  //
                       -63.5f, -3.0f,   0.0f,  //
                       2.5f,   254.0f,  0.0f,  //
                       0.4f,   -254.0f, 0.0f};
  int8_t q[12];
  float s[3];
  quantize_weights_symmetric(w, 4, 3, false, /*per_column=*/true, q, s);
  EXPECT_EQ(s[0], 1.0f);
  EXPECT_EQ(s[1], 2.0f);
  EXPECT_EQ(s[2], 1.0f);
  const int8_t want_col[12] = {127, 2, 0, -64, -2, 0, 2, 127, 0, 0, -127, 0};  // 2.5 -> 2, -1.5 -> -2, -63.5 -> -64
  for (int i = 0; i < 12; ++i) EXPECT_EQ(q[i], want_col[i]) << i;
  // per tensor: max 254 -> scale 2
  quantize_weights_symmetric(w, 4, 3, false, /*per_column=*/false, q, s);
  EXPECT_EQ(s[0], 2.0f);
  const int8_t want_tensor[12] = {64, 2, 0, -32, -2, 0, 1, 127, 0, 0, -127, 0};  // 63.5 -> 64, -31.75 -> -32, 1.25 -> 1
  for (int i = 0; i < 12; ++i) EXPECT_EQ(q[i], want_tensor[i]) << i;
  // transposed ([N, K]): same scales, q in the transposed layout
  float wt[12];
  for (int l = 0; l < 4; ++l)
    for (int j = 0; j < 3; ++j) wt[j * 4 + l] = w[l * 3 + j];
  int8_t qt[12];
  float st[3];
  quantize_weights_symmetric(wt, 4, 3, true, true, qt, st);
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(st[j], j == 1 ? 2.0f : 1.0f);
    for (int l = 0; l < 4; ++l) EXPECT_EQ(qt[j * 4 + l], want_col[l * 3 + j]) << l << "," << j;
  }
}

}  // namespace
}  // namespace onyx::cpu

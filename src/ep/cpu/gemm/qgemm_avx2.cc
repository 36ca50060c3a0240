// PackedQGemm's avx2 variant (see qgemm_kernel.h). Compiled with per-function target attributes, so the file builds
// for any x86-64 baseline; qgemm_kernels_avx2() returns null when the CPU lacks AVX2.
//
// Exact 16-bit widening: vpmaddubsw would saturate u8 x s8 pair sums, so W is sign-extended to 16 bits
// (vpmovsxbw) as it is loaded and X zero-extended once per run by the driver (wide_x), and vpmaddwd sums pairs of
// products exactly in 32 bits (|pair| <= 2 * 255 * 128). W packed in 16-column blocks of two 8-column panels, k in
// pairs: one 16-byte load is 8 columns x 2 k. Micro-kernel: 4 rows x 16 columns in 8 ymm accumulators, 4 k per
// step; each row's (k0, k1) and (k2, k3) pairs of 16-bit X are 32-bit broadcasts from memory.
#include <algorithm>
#include <cstring>

#include "src/core/cpu_features.h"
#include "src/ep/cpu/gemm/qgemm_kernel.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ONYX_QGEMM_AVX2 1
#endif

namespace onyx::cpu::detail {

#ifdef ONYX_QGEMM_AVX2

namespace {

#define ONYX_AVX2 __attribute__((target("avx2,fma")))

constexpr int kRows = 4;  // 8 accumulators + 4 W + 2 X + 1 product: 15 of the 16 ymm

inline uint32_t load_u32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

ONYX_AVX2 inline __m256i lane_mask(int64_t left) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<int64_t>(left, 8))), idx);
}

// One step of 4 k for row a: acc[a][p] += X[a, 4 k] . W[4 k, panel p] as two pairs of k; X is the driver's
// 16-bit copy, so each pair is one 32-bit broadcast from memory. Named accumulators (GCC keeps an array of vectors
// in memory across the loop).
#define ONYX_QG_ROW(a)                                                                          \
  if constexpr (MR > (a)) {                                                                     \
    const __m256i x01 = _mm256_set1_epi32(static_cast<int>(load_u32(x + (a)*ldx + 4 * g)));     \
    const __m256i x23 = _mm256_set1_epi32(static_cast<int>(load_u32(x + (a)*ldx + 4 * g + 2))); \
    c##a##0 = _mm256_add_epi32(c##a##0, _mm256_madd_epi16(x01, w00));                           \
    c##a##0 = _mm256_add_epi32(c##a##0, _mm256_madd_epi16(x23, w10));                           \
    if constexpr (NP > 1) {                                                                     \
      c##a##1 = _mm256_add_epi32(c##a##1, _mm256_madd_epi16(x01, w01));                         \
      c##a##1 = _mm256_add_epi32(c##a##1, _mm256_madd_epi16(x23, w11));                         \
    }                                                                                           \
  }
#define ONYX_QG_W(q, p) \
  _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(wp + (q)*pstride + 16 * (p))))

// Rows [i0, i0 + MR) x columns [c0, c0 + cols) (cols <= 8 NP) of one block; wb: the block's packed W, pstride:
// bytes per pair of k.
template <int MR, int NP>
ONYX_AVX2 void micro(const QGemmPackedView& w, const QGemmRunArgs& r, int64_t i0, int64_t c0, int64_t cols,
                     const int8_t* wb, int64_t pstride) {
  static_assert(MR >= 1 && MR <= kRows && NP >= 1 && NP <= 2);
  const __m256i zero = _mm256_setzero_si256();
  __m256i c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  const int64_t ldx = r.ldx16;
  const uint16_t* x = r.x16 + i0 * ldx;
  const int64_t groups = w.kpad / 4;  // X and W are zero-padded to kpad
  const int8_t* wp = wb;
  for (int64_t g = 0; g < groups; ++g, wp += 2 * pstride) {
    const __m256i w00 = ONYX_QG_W(0, 0), w10 = ONYX_QG_W(1, 0);
    const __m256i w01 = NP > 1 ? ONYX_QG_W(0, 1) : zero, w11 = NP > 1 ? ONYX_QG_W(1, 1) : zero;
    ONYX_QG_ROW(0) ONYX_QG_ROW(1) ONYX_QG_ROW(2) ONYX_QG_ROW(3)
  }
  const __m256i named[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
  __m256i acc[MR][NP];
  for (int a = 0; a < MR; ++a)
    for (int p = 0; p < NP; ++p) acc[a][p] = named[a][p];

  const __m256i zx = _mm256_set1_epi32(r.zx);
  for (int p = 0; p < NP; ++p) {
    const __m256i corr =
        _mm256_mullo_epi32(zx, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.col_c + c0 + 8 * p)));
    for (int a = 0; a < MR; ++a) acc[a][p] = _mm256_add_epi32(acc[a][p], corr);
  }
  if (w.zw) {
    for (int a = 0; a < MR; ++a) {
      const __m256i rs = _mm256_set1_epi32(r.rowsum[i0 + a]);
      for (int p = 0; p < NP; ++p)
        acc[a][p] = _mm256_sub_epi32(
            acc[a][p], _mm256_mullo_epi32(rs, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.zw + c0 + 8 * p))));
    }
  }
  const __m256i last = lane_mask(cols - 8 * (NP - 1));
  const bool full = cols == 8 * NP;
  if (r.yi) {
    for (int a = 0; a < MR; ++a) {
      int32_t* y = r.yi + (i0 + a) * r.ldy + c0;
      for (int p = 0; p < NP - 1; ++p) _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 8 * p), acc[a][p]);
      if (full)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 8 * (NP - 1)), acc[a][NP - 1]);
      else
        _mm256_maskstore_epi32(y + 8 * (NP - 1), last, acc[a][NP - 1]);
    }
    return;
  }
  const __m256 sx = _mm256_set1_ps(r.sx);
  __m256 s[NP], b[NP];
  for (int p = 0; p < NP; ++p) {
    s[p] = _mm256_mul_ps(sx, _mm256_loadu_ps(w.scale_w + c0 + 8 * p));
    b[p] = _mm256_loadu_ps(w.bias + c0 + 8 * p);
  }
  for (int a = 0; a < MR; ++a) {
    float* y = r.yf + (i0 + a) * r.ldy + c0;
    for (int p = 0; p < NP; ++p) {
      const __m256 v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[a][p]), s[p], b[p]);
      if (p < NP - 1 || full)
        _mm256_storeu_ps(y + 8 * p, v);
      else
        _mm256_maskstore_ps(y + 8 * p, last, v);
    }
  }
}

#undef ONYX_QG_ROW
#undef ONYX_QG_W

using MicroFn = void (*)(const QGemmPackedView&, const QGemmRunArgs&, int64_t, int64_t, int64_t, const int8_t*,
                         int64_t);

constexpr MicroFn micro_for(int rows, int np) {
  if (np == 1) return rows == 1 ? &micro<1, 1> : rows == 2 ? &micro<2, 1> : rows == 3 ? &micro<3, 1> : &micro<4, 1>;
  return rows == 1 ? &micro<1, 2> : rows == 2 ? &micro<2, 2> : rows == 3 ? &micro<3, 2> : &micro<4, 2>;
}

void block_avx2(const QGemmPackedView& w, const QGemmRunArgs& r, int64_t m0, int64_t m1, int64_t block) {
  const int64_t c0 = block * w.block_cols;
  const int64_t cols = std::min<int64_t>(w.block_cols, w.n - c0);
  const int np = static_cast<int>((cols + 7) / 8);
  const int8_t* wb = w.packed + block * w.kpad * w.block_cols;
  const int64_t pstride = np * 16;
  const MicroFn full = micro_for(kRows, np);
  int64_t i = m0;
  for (; i + kRows <= m1; i += kRows) full(w, r, i, c0, cols, wb, pstride);
  if (i < m1) micro_for(static_cast<int>(m1 - i), np)(w, r, i, c0, cols, wb, pstride);
}

}  // namespace

const QGemmKernels* qgemm_kernels_avx2() {
  static const QGemmKernels k{"avx2", QGemmIsa::kAvx2, 16, 8, 2, kRows, &block_avx2, /*wide_x=*/true};
  const CpuFeatures& f = cpu_features();
  return f.avx2 && f.fma ? &k : nullptr;
}

#else

const QGemmKernels* qgemm_kernels_avx2() { return nullptr; }

#endif

}  // namespace onyx::cpu::detail

// PackedQGemm's avx2 variant (see qgemm_kernel.h). Compiled with per-function target attributes, so the file builds
// for any x86-64 baseline; qgemm_kernels_avx2() returns null when the CPU lacks AVX2.
//
// Exact 16-bit widening: vpmaddubsw would saturate u8 x s8 pair sums, so W is sign-extended to 16 bits
// (vpmovsxbw) and X zero-extended (vpunpcklbw with 0), and vpmaddwd sums pairs of products exactly in 32 bits
// (|pair| <= 2 * 255 * 128). W packed in 16-column blocks of two 8-column panels, k in pairs: one 16-byte load is
// 8 columns x 2 k. Micro-kernel: 4 rows x 16 columns in 8 ymm accumulators, 4 k per step (a 32-bit broadcast of
// 4 u8 activations per row, split into the (k0, k1) and (k2, k3) pairs with vpshufd).
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

constexpr int kRows = 4;

ONYX_AVX2 inline __m256i lane_mask(int64_t left) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<int64_t>(left, 8))), idx);
}

// acc += 4 k of X (xv[a]: 4 u8 of row a) times 4 k of W (two pairs of k at wp and wp + pstride).
template <int MR, int NP>
ONYX_AVX2 inline void step(__m256i (&acc)[MR][NP], const uint32_t (&xv)[MR], const int8_t* wp, int64_t pstride) {
  __m256i w0[NP], w1[NP];
  for (int p = 0; p < NP; ++p) {
    w0[p] = _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(wp + 16 * p)));
    w1[p] = _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(wp + pstride + 16 * p)));
  }
  const __m256i zero = _mm256_setzero_si256();
  for (int a = 0; a < MR; ++a) {
    const __m256i u = _mm256_unpacklo_epi8(_mm256_set1_epi32(static_cast<int>(xv[a])), zero);  // x0 x1 x2 x3 x0 ..
    const __m256i x01 = _mm256_shuffle_epi32(u, 0x00), x23 = _mm256_shuffle_epi32(u, 0x55);
    for (int p = 0; p < NP; ++p)
      acc[a][p] = _mm256_add_epi32(acc[a][p],
                                   _mm256_add_epi32(_mm256_madd_epi16(x01, w0[p]), _mm256_madd_epi16(x23, w1[p])));
  }
}

// Rows [i0, i0 + MR) x columns [c0, c0 + cols) (cols <= 8 NP) of one block; wb: the block's packed W, pstride:
// bytes per pair of k.
template <int MR, int NP>
ONYX_AVX2 void micro(const QGemmPackedView& w, const QGemmRunArgs& r, int64_t i0, int64_t c0, int64_t cols,
                     const int8_t* wb, int64_t pstride) {
  __m256i acc[MR][NP];
  for (int a = 0; a < MR; ++a)
    for (int p = 0; p < NP; ++p) acc[a][p] = _mm256_setzero_si256();
  const int64_t ldx = r.ldx;
  const uint8_t* x = r.x + i0 * ldx;
  const int64_t groups = w.k / 4;
  const int8_t* wp = wb;
  uint32_t xv[MR];
  for (int64_t g = 0; g < groups; ++g, wp += 2 * pstride) {
    for (int a = 0; a < MR; ++a) std::memcpy(&xv[a], x + a * ldx + 4 * g, 4);
    step<MR, NP>(acc, xv, wp, pstride);
  }
  if (const int64_t left = w.k - 4 * groups; left > 0) {  // last partial group: W is 0 past K
    for (int a = 0; a < MR; ++a) {
      xv[a] = 0;
      std::memcpy(&xv[a], x + a * ldx + 4 * groups, static_cast<size_t>(left));
    }
    step<MR, NP>(acc, xv, wp, pstride);
  }

  const __m256i zx = _mm256_set1_epi32(r.zx);
  for (int p = 0; p < NP; ++p) {
    const __m256i corr = _mm256_mullo_epi32(zx, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.col_c + c0 + 8 * p)));
    for (int a = 0; a < MR; ++a) acc[a][p] = _mm256_add_epi32(acc[a][p], corr);
  }
  if (w.zw) {
    for (int a = 0; a < MR; ++a) {
      const __m256i rs = _mm256_set1_epi32(r.rowsum[i0 + a]);
      for (int p = 0; p < NP; ++p)
        acc[a][p] = _mm256_sub_epi32(
            acc[a][p],
            _mm256_mullo_epi32(rs, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.zw + c0 + 8 * p))));
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
  static const QGemmKernels k{"avx2", QGemmIsa::kAvx2, 16, 8, 2, kRows, &block_avx2};
  const CpuFeatures& f = cpu_features();
  return f.avx2 && f.fma ? &k : nullptr;
}

#else

const QGemmKernels* qgemm_kernels_avx2() { return nullptr; }

#endif

}  // namespace onyx::cpu::detail
